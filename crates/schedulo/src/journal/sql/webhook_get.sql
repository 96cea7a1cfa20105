SELECT base_id, webhook_id, notification_url, mac_secret, expires_at, cursor FROM airtable_webhooks
WHERE base_id = $1
