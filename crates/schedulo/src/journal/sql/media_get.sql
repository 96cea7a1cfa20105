SELECT record_id, state, platforms, requests, seen_requests, source_fp, uploads, notification,
    attempts, next_attempt_at, last_error, waiting_since
FROM media_jobs WHERE record_id = $1
