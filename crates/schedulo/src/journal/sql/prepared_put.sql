-- $1 record_id, $2 fingerprint, $3 data, $4 prepared_at, $5 expires_at
INSERT INTO prepared (record_id, fingerprint, data, prepared_at, expires_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (record_id) DO UPDATE
SET fingerprint = excluded.fingerprint, data = excluded.data,
    prepared_at = excluded.prepared_at, expires_at = excluded.expires_at
