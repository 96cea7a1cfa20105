-- Intent -> Retrying until $2 for a rate limit: like a retry, but the attempt is given back (a wait
-- for a platform's limit does not use up an attempt).
-- $1 record_id, $2 until, $3 reason, $4 now
UPDATE posts
SET state = 'retrying', next_attempt_at = $2,
    due_at = CASE WHEN $2 > scheduled_at THEN $2 ELSE scheduled_at END,
    attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,
    intent_at = NULL, intent_owner = NULL, receipt = NULL, last_error = $3, updated_at = $4
WHERE record_id = $1 AND state = 'intent'
