-- $1 source, $2 limit
SELECT id, source, dedup_key, body, received_at FROM inbox
WHERE done_at IS NULL AND source = $1
ORDER BY id
LIMIT $2
