-- $1 scenario, $2 name, $3 now
UPDATE counters SET value = 0, updated_at = $3 WHERE scenario = $1 AND name = $2
