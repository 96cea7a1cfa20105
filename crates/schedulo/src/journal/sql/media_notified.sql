-- Cloudinary's notification for a job's asset: kept on the job, which is due at once. A job that
-- had ended (a direct upload that came late, variants after the Admin API was asked) opens again.
UPDATE media_jobs SET notification = $2, notifications = notifications + 1,
    state = CASE WHEN state IN ('awaiting', 'done', 'failed') THEN 'queued' ELSE state END,
    next_attempt_at = CASE WHEN state IN ('awaiting', 'done', 'failed') THEN $3 ELSE next_attempt_at END,
    waiting_since = CASE WHEN state IN ('done', 'failed') THEN $3 ELSE waiting_since END,
    attempts = CASE WHEN state IN ('done', 'failed') THEN 0 ELSE attempts END,
    updated_at = $4
WHERE record_id = $1
