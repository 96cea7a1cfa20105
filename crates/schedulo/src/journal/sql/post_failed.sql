-- Scheduled/Retrying/Intent/Unknown -> Failed. $1 record_id, $2 message, $3 at
UPDATE posts
SET state = 'failed', last_error = $2, updated_at = $3
WHERE record_id = $1 AND state IN ('scheduled', 'retrying', 'intent', 'unknown')
