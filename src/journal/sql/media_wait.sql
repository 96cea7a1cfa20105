-- A run waits: for Cloudinary's notification (state awaiting, until $2), or to try again (queued).
UPDATE media_jobs SET state = $5, next_attempt_at = $2, uploads = COALESCE($3, uploads), last_error = $4,
    claimed_at = NULL, updated_at = $6,
    waiting_since = CASE WHEN $5 = 'awaiting' THEN COALESCE(waiting_since, $7) END
WHERE record_id = $1 AND state = 'working'
