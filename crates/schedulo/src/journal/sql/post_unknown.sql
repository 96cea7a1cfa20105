-- Intent/Unknown -> Unknown (the outcome of the publish call is not known). $1 record_id, $2 detail, $3 at
UPDATE posts
SET state = 'unknown', last_error = $2, updated_at = $3
WHERE record_id = $1 AND state IN ('intent', 'unknown')
