-- $1 scenario, $2 name, $3 by, $4 now; returns the new value, or no row if it would overflow a
-- BIGINT (SQLite would otherwise store a REAL). The bound is computed on the side that cannot
-- overflow; CASE evaluates only the branch taken.
INSERT INTO counters (scenario, name, value, updated_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (scenario, name) DO UPDATE
SET value = counters.value + excluded.value, updated_at = excluded.updated_at
WHERE CASE WHEN excluded.value >= 0
           THEN counters.value <= 9223372036854775807 - excluded.value
           ELSE counters.value >= (-9223372036854775807 - 1) - excluded.value
      END
RETURNING value
