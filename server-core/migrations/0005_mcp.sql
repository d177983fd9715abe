-- Apps on this computer that reach the organiser over MCP (the Model Context Protocol),
-- each with a token of its own. Only the token's SHA-256 is kept: it carries 256 random
-- bits, so a fast hash makes a copied database useless. Revoking a client deletes its row.
CREATE TABLE mcp_clients (
    id           TEXT    PRIMARY KEY,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);

-- Which MCP client asked for a task, by the name the user gave it; NULL for the user's own
-- messages and the assistant's plans.
ALTER TABLE agent_tasks ADD COLUMN requested_by TEXT;
