-- Issue 5: what preparation produced (Instagram containers made ahead of time, uploaded media),
-- kept per post for the content it was made for, and the receipt a platform returns before a post
-- is final (TikTok's publish_id), kept the moment it arrives.

CREATE TABLE prepared (
    record_id   TEXT   NOT NULL PRIMARY KEY,
    fingerprint TEXT   NOT NULL,  -- the post's fingerprint when prepared: an edit makes it stale
    data        TEXT   NOT NULL,  -- JSON of platforms::Prepared
    prepared_at BIGINT NOT NULL,
    expires_at  BIGINT             -- NULL: only for the publish that follows at once
);

ALTER TABLE posts ADD COLUMN receipt TEXT;
