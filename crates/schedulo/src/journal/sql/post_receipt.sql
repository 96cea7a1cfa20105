-- The platform's receipt for the attempt under way (Intent/Unknown). $1 record_id, $2 receipt, $3 now
UPDATE posts
SET receipt = $2, updated_at = $3
WHERE record_id = $1 AND state IN ('intent', 'unknown')
