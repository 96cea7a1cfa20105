-- $1 table_name, $2 record_id, $3 next_attempt_at, $4 error, $5 now
UPDATE outbox
SET attempts = attempts + 1, next_attempt_at = $3, last_error = $4, updated_at = $5
WHERE table_name = $1 AND record_id = $2
