-- Makes sure the row of ($1 table_name, $2 record_id) exists (version 0, no fields, due at $4 (0:
-- at once), last in the queue) and, being a write, takes the write lock before the read that
-- follows. A row already there keeps its due time. $3 now
INSERT INTO outbox (table_name, record_id, fields, version, attempts, next_attempt_at, seq, created_at, updated_at)
VALUES ($1, $2, '{}', 0, 0, $4, (SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox), $3, $3)
ON CONFLICT (table_name, record_id) DO NOTHING
