-- Scheduled/Retrying -> Cancelled. $1 record_id, $2 reason, $3 now
UPDATE posts
SET state = 'cancelled', last_error = $2, updated_at = $3
WHERE record_id = $1 AND state IN ('scheduled', 'retrying')
