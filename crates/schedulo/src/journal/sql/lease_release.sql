DELETE FROM leases WHERE base_id = $1 AND owner = $2
