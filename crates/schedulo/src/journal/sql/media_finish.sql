-- A run ended (done or failed); a request that came during it queues the job again.
UPDATE media_jobs SET
    state = CASE WHEN requests > seen_requests THEN 'queued' ELSE $2 END,
    next_attempt_at = $3, source_fp = $4, uploads = $5, last_error = $6, notification = NULL,
    attempts = CASE WHEN requests > seen_requests THEN 0 ELSE attempts END,
    claimed_at = NULL, waiting_since = NULL, updated_at = $7
WHERE record_id = $1 AND state = 'working'
