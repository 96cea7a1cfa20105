-- Claims the jobs whose time has come: queued ones due, and awaited ones past their wait.
UPDATE media_jobs SET state = 'working', claimed_at = $1, seen_requests = requests,
    seen_notifications = notifications,
    attempts = attempts + 1, updated_at = $2
WHERE record_id IN (
    SELECT record_id FROM media_jobs
    WHERE state IN ('queued', 'awaiting') AND next_attempt_at <= $1
    ORDER BY next_attempt_at, record_id
    LIMIT $3)
RETURNING record_id, state, platforms, requests, seen_requests, source_fp, uploads, notification,
    attempts, next_attempt_at, last_error, waiting_since
