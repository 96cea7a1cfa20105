-- A new version of ($1 table_name, $2 record_id); returns the fields to merge into. $3 now
UPDATE outbox SET version = version + 1, updated_at = $3
WHERE table_name = $1 AND record_id = $2
RETURNING fields, version
