-- Takes the lease of base $1 for owner $2 until $4 if it is free, expired at $3, or already
-- $2's (then renewed, keeping acquired_at). Returns a row only if $2 holds the lease now.
INSERT INTO leases (base_id, owner, acquired_at, expires_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (base_id) DO UPDATE
SET owner = excluded.owner,
    acquired_at = CASE WHEN leases.owner = excluded.owner THEN leases.acquired_at ELSE excluded.acquired_at END,
    expires_at = excluded.expires_at
WHERE leases.owner = excluded.owner OR leases.expires_at <= excluded.acquired_at
RETURNING owner
