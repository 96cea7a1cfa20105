INSERT INTO media_assets (public_id, record_id) VALUES ($1, $2)
ON CONFLICT (public_id) DO UPDATE SET record_id = excluded.record_id
