SELECT id, source, dedup_key, body, received_at FROM inbox
WHERE done_at IS NULL
ORDER BY id
LIMIT $1
