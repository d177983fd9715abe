-- What kind of client a device is: the desktop window on this computer, a browser that
-- logged in with the PIN, or a phone paired over the LAN. A phone's requests never run a
-- host tool without the user's yes.
ALTER TABLE devices ADD COLUMN kind TEXT NOT NULL DEFAULT 'browser'
    CHECK (kind IN ('desktop', 'browser', 'phone'));
