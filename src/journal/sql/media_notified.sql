-- Cloudinary's notification for a job's asset: kept on the job, which is due at once.
UPDATE media_jobs SET notification = $2, notifications = notifications + 1,
    state = CASE WHEN state = 'awaiting' THEN 'queued' ELSE state END,
    next_attempt_at = CASE WHEN state = 'awaiting' THEN $3 ELSE next_attempt_at END,
    updated_at = $4
WHERE record_id = $1 AND state IN ('awaiting', 'working', 'queued')
