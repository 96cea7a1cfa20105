-- A webhook asks for a record to be processed: a new job, or the job queued again (a job at work
-- counts the request and runs again when it finishes). $5 = 1 when a direct upload is awaited.
INSERT INTO media_jobs (record_id, state, platforms, requests, seen_requests, next_attempt_at, waiting_since, created_at, updated_at)
VALUES ($1, CASE WHEN $5 = 1 THEN 'awaiting' ELSE 'queued' END, $2, 1, 0, $3, CASE WHEN $5 = 1 THEN $6 END, $4, $4)
ON CONFLICT (record_id) DO UPDATE SET
    requests = media_jobs.requests + 1,
    platforms = COALESCE(excluded.platforms, media_jobs.platforms),
    state = CASE WHEN media_jobs.state IN ('working', 'awaiting') THEN media_jobs.state
                 WHEN $5 = 1 THEN 'awaiting' ELSE 'queued' END,
    attempts = CASE WHEN media_jobs.state IN ('done', 'failed') THEN 0 ELSE media_jobs.attempts END,
    next_attempt_at = CASE WHEN media_jobs.state IN ('working', 'awaiting') THEN media_jobs.next_attempt_at
                           ELSE excluded.next_attempt_at END,
    waiting_since = CASE WHEN media_jobs.state IN ('working', 'awaiting') THEN media_jobs.waiting_since
                         ELSE excluded.waiting_since END,
    updated_at = excluded.updated_at
RETURNING state, requests
