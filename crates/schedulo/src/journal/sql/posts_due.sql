-- Waiting posts due at $1, earliest first, at most $2.
SELECT * FROM posts
WHERE state IN ('scheduled', 'retrying') AND due_at <= $1
ORDER BY due_at, record_id
LIMIT $2
