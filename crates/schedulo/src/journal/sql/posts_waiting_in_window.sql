-- Waiting posts scheduled in [$1, $2).
SELECT record_id FROM posts
WHERE state IN ('scheduled', 'retrying') AND scheduled_at >= $1 AND scheduled_at < $2
