-- Issue 6: the Media Processor's jobs, one per MediaLibrary record, and the Cloudinary assets
-- each job made (so that a notification from Cloudinary finds its record).

CREATE TABLE media_jobs (
    record_id       TEXT   NOT NULL PRIMARY KEY,
    state           TEXT   NOT NULL,
    platforms       TEXT,              -- JSON array of the platforms the media is meant for; NULL: all
    requests        BIGINT NOT NULL DEFAULT 1,  -- webhooks received; a request during work runs the job again
    seen_requests   BIGINT NOT NULL DEFAULT 0,  -- requests the current or last run has taken in
    source_fp       TEXT,              -- the sources (and type, platforms) the last finished run processed
    uploads         TEXT,              -- JSON: what Cloudinary answered for each upload of the run
    notification    TEXT,              -- JSON: Cloudinary's last notification for the job, not yet handled
    notifications   BIGINT NOT NULL DEFAULT 0,  -- notifications received
    seen_notifications BIGINT NOT NULL DEFAULT 0,  -- notifications the current or last run has taken in
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,   -- queued: not before; awaiting: when to stop waiting and ask
    claimed_at      BIGINT,
    waiting_since   BIGINT,            -- set while the job waits for Cloudinary (a notification, a direct upload)
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CONSTRAINT media_jobs_state_known CHECK (state IN ('queued', 'working', 'awaiting', 'done', 'failed'))
);

CREATE INDEX media_jobs_due ON media_jobs (next_attempt_at) WHERE state IN ('queued', 'awaiting');

CREATE TABLE media_assets (
    public_id TEXT   NOT NULL PRIMARY KEY,
    record_id TEXT   NOT NULL,
    noted_at  BIGINT NOT NULL
);

CREATE INDEX media_assets_by_record ON media_assets (record_id, noted_at);
