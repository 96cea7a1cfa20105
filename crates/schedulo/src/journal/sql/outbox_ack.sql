-- Deletes the row only if it still holds the version that was sent.
DELETE FROM outbox WHERE table_name = $1 AND record_id = $2 AND version = $3
