-- Marks item $1 done at $2 (the first time only).
UPDATE inbox SET done_at = COALESCE(done_at, $2) WHERE id = $1
