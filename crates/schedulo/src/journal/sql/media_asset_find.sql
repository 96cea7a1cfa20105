SELECT record_id FROM media_assets WHERE public_id = $1
