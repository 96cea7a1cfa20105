-- The asset a record's job noted last (a direct upload's public id).
SELECT public_id FROM media_assets WHERE record_id = $1 ORDER BY noted_at DESC, public_id DESC LIMIT 1
