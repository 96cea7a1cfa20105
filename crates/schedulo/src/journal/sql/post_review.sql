-- Intent/Unknown -> Review (a person must look). $1 record_id, $2 message, $3 at
UPDATE posts
SET state = 'review', last_error = $2, updated_at = $3
WHERE record_id = $1 AND state IN ('intent', 'unknown')
