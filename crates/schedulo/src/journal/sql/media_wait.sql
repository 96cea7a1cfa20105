-- A run waits: for Cloudinary's notification (state awaiting, until $2), or to try again (queued,
-- keeping a wait it was in). A notification that arrived while the run was at work (after its
-- claim) ends the wait at once. $8 = 1: the run did not count as an attempt (Airtable was down,
-- Cloudinary refused the worker's credentials).
UPDATE media_jobs SET
    state = CASE WHEN $5 = 'awaiting' AND notifications > seen_notifications THEN 'queued' ELSE $5 END,
    next_attempt_at = CASE WHEN $5 = 'awaiting' AND notifications > seen_notifications THEN $7 ELSE $2 END,
    uploads = COALESCE($3, uploads), last_error = $4,
    claimed_at = NULL, updated_at = $6,
    waiting_since = CASE WHEN $5 = 'awaiting' THEN COALESCE(waiting_since, $7) ELSE waiting_since END,
    attempts = CASE WHEN $8 = 1 AND attempts > 0 THEN attempts - 1 ELSE attempts END
WHERE record_id = $1 AND state = 'working'
