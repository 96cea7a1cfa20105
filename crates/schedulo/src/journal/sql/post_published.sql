-- Intent/Unknown -> Published. $1 record_id, $2 platform_post_id, $3 url, $4 at
UPDATE posts
SET state = 'published', platform_post_id = $2, url = $3, published_at = $4, last_error = NULL, updated_at = $4
WHERE record_id = $1 AND state IN ('intent', 'unknown')
