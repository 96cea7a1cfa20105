SELECT MIN(next_attempt_at) FROM media_jobs WHERE state IN ('queued', 'awaiting')
