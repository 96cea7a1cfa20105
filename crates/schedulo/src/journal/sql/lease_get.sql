SELECT owner, acquired_at, expires_at FROM leases WHERE base_id = $1
