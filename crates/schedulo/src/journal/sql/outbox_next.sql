-- Rows of table $1 due at $2, oldest first, at most $3.
SELECT table_name, record_id, fields, version, attempts FROM outbox
WHERE table_name = $1 AND next_attempt_at <= $2
ORDER BY seq
LIMIT $3
