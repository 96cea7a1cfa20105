INSERT INTO media_assets (public_id, record_id, noted_at) VALUES ($1, $2, $3)
ON CONFLICT (public_id) DO UPDATE SET record_id = excluded.record_id, noted_at = excluded.noted_at
