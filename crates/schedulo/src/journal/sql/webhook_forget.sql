-- $1 base_id, $2 webhook_id
DELETE FROM airtable_webhooks WHERE base_id = $1 AND webhook_id = $2
