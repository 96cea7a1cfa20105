-- $1 source, $2 dedup_key (NULL: never a duplicate), $3 body, $4 now
INSERT INTO inbox (source, dedup_key, body, received_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (source, dedup_key) DO NOTHING
RETURNING id
