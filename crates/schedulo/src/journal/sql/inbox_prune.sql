-- Forgets items done before $1.
DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < $1
