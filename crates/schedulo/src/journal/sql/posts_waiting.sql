-- Posts that wait for something (a retry, a rate limit, a person), newest first, at most $1.
SELECT * FROM posts
WHERE state IN ('retrying', 'unknown', 'intent', 'review')
ORDER BY updated_at DESC, record_id
LIMIT $1
