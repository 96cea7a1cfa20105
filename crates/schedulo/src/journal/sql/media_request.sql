-- A webhook asks for a record to be processed ($5 = 0), or a direct upload from Bubble was signed
-- ($5 = 1: wait until $3 for Cloudinary's notification of it). A new job, or the job queued again;
-- a job at work counts the request and runs again when its run ends; a waiting job counts it and
-- looks at the record again once its wait is over.
INSERT INTO media_jobs (record_id, state, platforms, requests, seen_requests, next_attempt_at, waiting_since, created_at, updated_at)
VALUES ($1, CASE WHEN $5 = 1 THEN 'awaiting' ELSE 'queued' END, $2, 1, $5, $3, CASE WHEN $5 = 1 THEN $6 END, $4, $4)
ON CONFLICT (record_id) DO UPDATE SET
    requests = media_jobs.requests + 1,
    -- A direct upload is itself what the wait is for: it is taken in at once.
    seen_requests = CASE WHEN $5 = 1 AND media_jobs.state <> 'working' THEN media_jobs.requests + 1
                         ELSE media_jobs.seen_requests END,
    platforms = excluded.platforms,
    state = CASE WHEN media_jobs.state = 'working' THEN 'working'
                 WHEN $5 = 1 THEN 'awaiting'
                 WHEN media_jobs.state = 'awaiting' THEN 'awaiting'
                 ELSE 'queued' END,
    -- A new direct upload replaces what an earlier run kept.
    uploads = CASE WHEN $5 = 1 AND media_jobs.state <> 'working' THEN NULL ELSE media_jobs.uploads END,
    notification = CASE WHEN $5 = 1 AND media_jobs.state <> 'working' THEN NULL ELSE media_jobs.notification END,
    attempts = CASE WHEN media_jobs.state IN ('done', 'failed') OR ($5 = 1 AND media_jobs.state <> 'working') THEN 0
                    ELSE media_jobs.attempts END,
    next_attempt_at = CASE WHEN media_jobs.state = 'working' THEN media_jobs.next_attempt_at
                           WHEN $5 = 1 THEN excluded.next_attempt_at
                           WHEN media_jobs.state = 'awaiting' THEN media_jobs.next_attempt_at
                           ELSE excluded.next_attempt_at END,
    waiting_since = CASE WHEN media_jobs.state = 'working' THEN media_jobs.waiting_since
                         WHEN $5 = 1 THEN $6
                         WHEN media_jobs.state = 'awaiting' THEN media_jobs.waiting_since
                         ELSE NULL END,
    updated_at = excluded.updated_at
RETURNING state, requests
