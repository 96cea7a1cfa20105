-- $1 scenario, $2 key, $3 value (JSON), $4 now
INSERT INTO scenario_state (scenario, key, value, updated_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (scenario, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
