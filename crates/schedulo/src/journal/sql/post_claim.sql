-- The claim: Scheduled/Retrying and due -> Intent, in one statement, so that of two claims only
-- one updates the row. $1 record_id, $2 now, $3 owner
UPDATE posts
SET state = 'intent', intent_at = $2, intent_owner = $3, attempts = attempts + 1, updated_at = $2
WHERE record_id = $1 AND state IN ('scheduled', 'retrying') AND due_at <= $2
RETURNING *
