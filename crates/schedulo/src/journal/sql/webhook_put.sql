-- $1 base_id, $2 webhook_id, $3 notification_url, $4 mac_secret (sealed), $5 expires_at, $6 cursor, $7 now
INSERT INTO airtable_webhooks (base_id, webhook_id, notification_url, mac_secret, expires_at, cursor, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
ON CONFLICT (base_id) DO UPDATE SET
    webhook_id = excluded.webhook_id,
    notification_url = excluded.notification_url,
    mac_secret = excluded.mac_secret,
    expires_at = excluded.expires_at,
    cursor = excluded.cursor,
    created_at = excluded.created_at,
    updated_at = excluded.updated_at
