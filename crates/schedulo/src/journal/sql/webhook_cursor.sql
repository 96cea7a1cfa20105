-- $1 base_id, $2 webhook_id, $3 cursor, $4 now. Only forward: a late writer never moves it back.
UPDATE airtable_webhooks SET cursor = $3, updated_at = $4
WHERE base_id = $1 AND webhook_id = $2 AND cursor < $3
