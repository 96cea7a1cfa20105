UPDATE outbox SET fields = $3 WHERE table_name = $1 AND record_id = $2
