-- Claims the jobs whose time has come: queued ones due, awaited ones past their wait, and ones a
-- run has held longer than the lease $4 (ms; a task that died without recording its step). A run
-- that ends a wait does not take in the requests that came meanwhile: they run after it.
UPDATE media_jobs SET state = 'working', claimed_at = $1,
    seen_requests = CASE WHEN waiting_since IS NOT NULL THEN seen_requests ELSE requests END,
    seen_notifications = notifications,
    attempts = attempts + 1, updated_at = $2
WHERE record_id IN (
    SELECT record_id FROM media_jobs
    WHERE (state IN ('queued', 'awaiting') AND next_attempt_at <= $1)
       OR (state = 'working' AND claimed_at < $1 - $4)
    ORDER BY next_attempt_at, record_id
    LIMIT $3)
RETURNING record_id, state, platforms, requests, seen_requests, source_fp, uploads, notification,
    attempts, next_attempt_at, last_error, waiting_since
