-- The waiting post due first.
SELECT record_id, due_at FROM posts
WHERE state IN ('scheduled', 'retrying')
ORDER BY due_at, record_id
LIMIT 1
