-- Issue 19: the Airtable webhook the worker keeps on its base (made and refreshed by the keeper),
-- and how far its payloads have been read.

CREATE TABLE airtable_webhooks (
    base_id          TEXT   NOT NULL PRIMARY KEY,  -- one webhook of ours per base
    webhook_id       TEXT   NOT NULL,              -- Airtable's id (ach...)
    notification_url TEXT   NOT NULL,              -- where it pings; another URL at start: a new webhook
    mac_secret       TEXT   NOT NULL,              -- macSecretBase64 sealed by the vault (sv1:...), never plain
    expires_at       BIGINT,                       -- NULL: Airtable gave no expiry
    cursor           BIGINT NOT NULL DEFAULT 1,    -- the next payload to read (1: a new webhook's first)
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CONSTRAINT airtable_webhooks_cursor_positive CHECK (cursor >= 1)
);
