-- ClawChat's first schema. Released migrations are never edited; add a new numbered file.
--
-- Instants are INTEGER milliseconds since the Unix epoch (UTC); the API renders them in
-- the user's offset. Ids are opaque text (UUIDv7); `seq` is the stable integer rowid the
-- full-text indexes point at. Tags are JSON arrays of strings.

CREATE TABLE todos (
    seq             INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE,
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'in_progress', 'completed')),
    priority        TEXT    NOT NULL DEFAULT 'medium'
                    CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
    due_at          INTEGER,
    -- 1 when the user gave a day, not a time: due_at is then that day's local midnight.
    due_is_date     INTEGER NOT NULL DEFAULT 0 CHECK (due_is_date IN (0, 1)),
    tags            TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    recurrence_rule TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    completed_at    INTEGER
);
CREATE INDEX todos_open_due ON todos (status, due_at);
CREATE INDEX todos_due ON todos (due_at);

CREATE TABLE events (
    seq              INTEGER PRIMARY KEY,
    id               TEXT    NOT NULL UNIQUE,
    title            TEXT    NOT NULL,
    description      TEXT    NOT NULL DEFAULT '',
    location         TEXT,
    start_at         INTEGER NOT NULL,
    end_at           INTEGER,
    is_all_day       INTEGER NOT NULL DEFAULT 0 CHECK (is_all_day IN (0, 1)),
    reminder_minutes INTEGER CHECK (reminder_minutes IS NULL OR reminder_minutes >= 0),
    recurrence_rule  TEXT,
    tags             TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    CHECK (end_at IS NULL OR end_at >= start_at)
);
CREATE INDEX events_start ON events (start_at);

CREATE TABLE memos (
    seq        INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    title      TEXT    NOT NULL DEFAULT '',
    content    TEXT    NOT NULL,
    tags       TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    pinned     INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX memos_pinned ON memos (pinned, updated_at);
CREATE INDEX memos_updated ON memos (updated_at);

CREATE TABLE conversations (
    seq        INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    title      TEXT    NOT NULL DEFAULT '',
    -- 'chat' for the user's own, 'briefings' for the scheduler's daily briefings.
    kind       TEXT    NOT NULL DEFAULT 'chat',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX conversations_updated ON conversations (updated_at);

CREATE TABLE messages (
    seq             INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE,
    conversation_id TEXT    NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role            TEXT    NOT NULL CHECK (role IN ('user', 'assistant', 'tool')),
    content         TEXT    NOT NULL,
    intent          TEXT,
    action_cards    TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(action_cards)),
    created_at      INTEGER NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, seq);

-- One row per TaskRecord of a plan (see the contract's TaskRecord shape).
CREATE TABLE agent_tasks (
    seq             INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE,
    conversation_id TEXT    REFERENCES conversations (id) ON DELETE SET NULL,
    message_id      TEXT,
    tool            TEXT    NOT NULL,
    inputs          TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(inputs)),
    depends_on      TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(depends_on)),
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'awaiting_approval', 'running', 'done', 'failed', 'cancelled')),
    target          TEXT    NOT NULL CHECK (target IN ('server', 'host')),
    output          TEXT    CHECK (output IS NULL OR json_valid(output)),
    error           TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX agent_tasks_status ON agent_tasks (status);
CREATE INDEX agent_tasks_message ON agent_tasks (message_id);

-- A device is a client that logged in: the desktop window, a paired phone, a script.
CREATE TABLE devices (
    id           TEXT    PRIMARY KEY,
    name         TEXT    NOT NULL,
    email        TEXT,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    revoked_at   INTEGER
);

-- A login: every refresh token descends from one login and dies with it.
CREATE TABLE token_families (
    id             TEXT    PRIMARY KEY,
    device_id      TEXT    REFERENCES devices (id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL,
    revoked_at     INTEGER,
    revoked_reason TEXT
);

-- Only a SHA-256 of each refresh token is kept: a copy of the database logs nobody in.
CREATE TABLE refresh_tokens (
    token_hash  TEXT    PRIMARY KEY,
    family_id   TEXT    NOT NULL REFERENCES token_families (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE otp_codes (
    email      TEXT    PRIMARY KEY,
    code_mac   TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE push_tokens (
    token      TEXT    PRIMARY KEY,
    device_id  TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Full-text search. External-content FTS5 tables index the rows in place; the triggers
-- below keep them in step inside the same transaction as the write, so the index can
-- never disagree with the tables it covers.
CREATE VIRTUAL TABLE todos_fts USING fts5 (
    title, description, tags,
    content = 'todos', content_rowid = 'seq', tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE events_fts USING fts5 (
    title, description, location, tags,
    content = 'events', content_rowid = 'seq', tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE memos_fts USING fts5 (
    title, content, tags,
    content = 'memos', content_rowid = 'seq', tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    content,
    content = 'messages', content_rowid = 'seq', tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER todos_fts_insert AFTER INSERT ON todos BEGIN
    INSERT INTO todos_fts (rowid, title, description, tags)
    VALUES (new.seq, new.title, new.description, new.tags);
END;
CREATE TRIGGER todos_fts_delete AFTER DELETE ON todos BEGIN
    INSERT INTO todos_fts (todos_fts, rowid, title, description, tags)
    VALUES ('delete', old.seq, old.title, old.description, old.tags);
END;
CREATE TRIGGER todos_fts_update AFTER UPDATE OF title, description, tags ON todos BEGIN
    INSERT INTO todos_fts (todos_fts, rowid, title, description, tags)
    VALUES ('delete', old.seq, old.title, old.description, old.tags);
    INSERT INTO todos_fts (rowid, title, description, tags)
    VALUES (new.seq, new.title, new.description, new.tags);
END;

CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
    INSERT INTO events_fts (rowid, title, description, location, tags)
    VALUES (new.seq, new.title, new.description, coalesce(new.location, ''), new.tags);
END;
CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
    INSERT INTO events_fts (events_fts, rowid, title, description, location, tags)
    VALUES ('delete', old.seq, old.title, old.description, coalesce(old.location, ''), old.tags);
END;
CREATE TRIGGER events_fts_update AFTER UPDATE OF title, description, location, tags ON events BEGIN
    INSERT INTO events_fts (events_fts, rowid, title, description, location, tags)
    VALUES ('delete', old.seq, old.title, old.description, coalesce(old.location, ''), old.tags);
    INSERT INTO events_fts (rowid, title, description, location, tags)
    VALUES (new.seq, new.title, new.description, coalesce(new.location, ''), new.tags);
END;

CREATE TRIGGER memos_fts_insert AFTER INSERT ON memos BEGIN
    INSERT INTO memos_fts (rowid, title, content, tags)
    VALUES (new.seq, new.title, new.content, new.tags);
END;
CREATE TRIGGER memos_fts_delete AFTER DELETE ON memos BEGIN
    INSERT INTO memos_fts (memos_fts, rowid, title, content, tags)
    VALUES ('delete', old.seq, old.title, old.content, old.tags);
END;
CREATE TRIGGER memos_fts_update AFTER UPDATE OF title, content, tags ON memos BEGIN
    INSERT INTO memos_fts (memos_fts, rowid, title, content, tags)
    VALUES ('delete', old.seq, old.title, old.content, old.tags);
    INSERT INTO memos_fts (rowid, title, content, tags)
    VALUES (new.seq, new.title, new.content, new.tags);
END;

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, content) VALUES (new.seq, new.content);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.seq, old.content);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.seq, old.content);
    INSERT INTO messages_fts (rowid, content) VALUES (new.seq, new.content);
END;
