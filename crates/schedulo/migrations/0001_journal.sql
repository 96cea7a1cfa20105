-- The journal's tables (see src/journal/mod.rs for what each column means and the invariants).
-- Times are UTC unix milliseconds in BIGINT columns. Written to run on PostgreSQL as well, except
-- where a comment says otherwise.

-- The publish state machine: one row per ScheduledPosts record.
CREATE TABLE posts (
    record_id         TEXT    NOT NULL PRIMARY KEY,
    post_id           TEXT,
    platform          TEXT    NOT NULL,
    account_record_id TEXT    NOT NULL,
    scheduled_at      BIGINT  NOT NULL,
    fingerprint       TEXT    NOT NULL,
    state             TEXT    NOT NULL,
    attempts          BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at   BIGINT,
    due_at            BIGINT  NOT NULL,
    intent_at         BIGINT,
    intent_owner      TEXT,
    platform_post_id  TEXT,
    url               TEXT,
    published_at      BIGINT,
    last_error        TEXT,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    CONSTRAINT posts_state_known CHECK (state IN
        ('scheduled', 'retrying', 'intent', 'published', 'unknown', 'review', 'failed', 'cancelled')),
    CONSTRAINT posts_attempts_positive CHECK (attempts >= 0),
    CONSTRAINT posts_intent_recorded CHECK
        (state NOT IN ('intent', 'unknown', 'published', 'review') OR intent_at IS NOT NULL),
    CONSTRAINT posts_published_has_id CHECK (state <> 'published' OR platform_post_id IS NOT NULL)
);

-- Waiting posts by due time (`next_due`, `due`) and by scheduled time (`forget_missing`).
CREATE INDEX posts_waiting_by_due ON posts (due_at, record_id) WHERE state IN ('scheduled', 'retrying');
CREATE INDEX posts_waiting_by_time ON posts (scheduled_at) WHERE state IN ('scheduled', 'retrying');
-- Unresolved intents at start, counts for `status`.
CREATE INDEX posts_by_state ON posts (state);

-- Airtable writes not yet acknowledged, coalesced per record.
CREATE TABLE outbox (
    table_name      TEXT    NOT NULL,
    record_id       TEXT    NOT NULL,
    fields          TEXT    NOT NULL,  -- a JSON object (PostgreSQL could use JSONB)
    version         BIGINT  NOT NULL,
    attempts        BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    last_error      TEXT,
    seq             BIGINT  NOT NULL,  -- queue order: larger than every row pending when queued
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (table_name, record_id)
);

CREATE INDEX outbox_due ON outbox (table_name, next_attempt_at);
CREATE INDEX outbox_by_seq ON outbox (seq);

-- Webhook bodies, stored before the webhook answers 2xx.
CREATE TABLE inbox (
    -- SQLite only; PostgreSQL: BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY.
    -- AUTOINCREMENT so that an id is never reused after pruning.
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source      TEXT    NOT NULL,
    dedup_key   TEXT,
    body        TEXT    NOT NULL,  -- JSON
    received_at BIGINT  NOT NULL,
    done_at     BIGINT
);

-- NULL dedup keys never collide (the same in SQLite and PostgreSQL).
CREATE UNIQUE INDEX inbox_dedup ON inbox (source, dedup_key);
CREATE INDEX inbox_pending ON inbox (id) WHERE done_at IS NULL;

-- Each scenario's small named values (cursors, last runs, throttles).
CREATE TABLE scenario_state (
    scenario   TEXT   NOT NULL,
    key        TEXT   NOT NULL,
    value      TEXT   NOT NULL,  -- JSON
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (scenario, key)
);

-- Each scenario's counters (operations spent, errors in a row...).
CREATE TABLE counters (
    scenario   TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    value      BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (scenario, name)
);

-- Which worker owns a base, until when.
CREATE TABLE leases (
    base_id     TEXT   NOT NULL PRIMARY KEY,
    owner       TEXT   NOT NULL,
    acquired_at BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
