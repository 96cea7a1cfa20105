SELECT id FROM inbox WHERE source = $1 AND dedup_key = $2
