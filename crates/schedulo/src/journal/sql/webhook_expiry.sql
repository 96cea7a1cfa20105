-- $1 base_id, $2 webhook_id, $3 expires_at, $4 now
UPDATE airtable_webhooks SET expires_at = $3, updated_at = $4
WHERE base_id = $1 AND webhook_id = $2
