-- At start: jobs a dead worker held are queued again (every step of a run may be repeated).
UPDATE media_jobs SET state = 'queued', next_attempt_at = $1, claimed_at = NULL, updated_at = $2
WHERE state = 'working'
