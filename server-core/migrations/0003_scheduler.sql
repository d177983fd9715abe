-- The scheduler: reminders, overdue notices and the daily briefing, each fired once.
--
-- When something is due is kept as generated columns with partial indexes, so "what fires
-- next" is one index probe instead of a scan of every todo and event.

-- A todo reminds `reminder_minutes` before its due time (at it when null). A day-level
-- todo has no reminder of its own (the daily briefing lists it); it is overdue once its
-- day is over, a timed one an hour after its due time.
ALTER TABLE todos ADD COLUMN reminder_minutes INTEGER
    CHECK (reminder_minutes IS NULL OR reminder_minutes >= 0);
ALTER TABLE todos ADD COLUMN remind_at INTEGER GENERATED ALWAYS AS (
    CASE WHEN due_is_date = 0 THEN due_at - coalesce(reminder_minutes, 0) * 60000 END
) VIRTUAL;
ALTER TABLE todos ADD COLUMN overdue_at INTEGER GENERATED ALWAYS AS (
    CASE WHEN due_is_date = 1 THEN due_at + 86400000 ELSE due_at + 3600000 END
) VIRTUAL;
CREATE INDEX todos_remind_at ON todos (remind_at) WHERE status != 'completed';
CREATE INDEX todos_overdue_at ON todos (overdue_at) WHERE status != 'completed';

-- A one-off event reminds `reminder_minutes` before it starts; a repeating one per
-- occurrence, which the engine expands from the rule.
ALTER TABLE events ADD COLUMN remind_at INTEGER GENERATED ALWAYS AS (
    CASE WHEN recurrence_rule IS NULL AND reminder_minutes IS NOT NULL
         THEN start_at - reminder_minutes * 60000 END
) VIRTUAL;
CREATE INDEX events_remind_at ON events (remind_at) WHERE remind_at IS NOT NULL;
CREATE INDEX events_series_reminders ON events (start_at)
    WHERE recurrence_rule IS NOT NULL AND reminder_minutes IS NOT NULL;

-- The UID an imported event had in its calendar file, so importing the file again
-- updates the events instead of doubling them.
ALTER TABLE events ADD COLUMN ical_uid TEXT;
CREATE UNIQUE INDEX events_ical_uid ON events (ical_uid) WHERE ical_uid IS NOT NULL;

-- Every firing. `key` (kind, item, occurrence) is the idempotency key: whichever engine
-- inserts it first delivers it, any other insert of the same key does nothing.
CREATE TABLE notifications (
    seq             INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE,
    key             TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL CHECK (kind IN ('reminder', 'overdue', 'briefing')),
    ref_id          TEXT,
    -- The occurrence it is about (a todo's due time, an event's start), if any.
    occurrence_at   INTEGER,
    -- When it was meant to fire.
    fire_at         INTEGER NOT NULL,
    title           TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    conversation_id TEXT,
    -- 1 when it fired well after its time (the app was not running then).
    late            INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER,
    read_at         INTEGER
);
CREATE INDEX notifications_unread ON notifications (seq) WHERE read_at IS NULL;
CREATE INDEX notifications_undelivered ON notifications (created_at) WHERE delivered_at IS NULL;

-- Small named values the scheduler keeps across restarts (`checked_until`: every firing
-- due up to this instant has been claimed).
CREATE TABLE scheduler_state (
    key   TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
);
