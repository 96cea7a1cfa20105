-- Intents without an outcome, oldest first.
SELECT * FROM posts
WHERE state IN ('intent', 'unknown')
ORDER BY intent_at, record_id
