-- Intent/Unknown -> Retrying, due at the later of its scheduled time and $2; the intent is released.
-- From Unknown only after reconciliation showed the post did not go out.
-- $1 record_id, $2 next_attempt_at, $3 error, $4 now
UPDATE posts
SET state = 'retrying', next_attempt_at = $2,
    due_at = CASE WHEN $2 > scheduled_at THEN $2 ELSE scheduled_at END,
    intent_at = NULL, intent_owner = NULL, receipt = NULL, last_error = $3, updated_at = $4
WHERE record_id = $1 AND state IN ('intent', 'unknown')
