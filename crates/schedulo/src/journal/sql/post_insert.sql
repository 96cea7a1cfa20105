-- A post seen for the first time: Scheduled, due at its scheduled time. Does nothing if the
-- record is already journaled (the caller then reads it).
-- $1 record_id, $2 post_id, $3 platform, $4 account_record_id, $5 scheduled_at, $6 fingerprint, $7 now
INSERT INTO posts (record_id, post_id, platform, account_record_id, scheduled_at, fingerprint,
                   state, attempts, due_at, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, 'scheduled', 0, $5, $7, $7)
ON CONFLICT (record_id) DO NOTHING
