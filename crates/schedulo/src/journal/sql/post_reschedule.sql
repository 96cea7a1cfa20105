-- An edit honoured before any intent (or a cancelled post seen again): back to Scheduled with
-- the new time and content, attempts reset. Guarded twice: the state must still be the one the
-- caller read ($8), and no intent may ever have been taken (`intent_at IS NULL`), so a post past
-- the intent is never moved back.
-- $1 record_id, $2 post_id, $3 platform, $4 account_record_id, $5 scheduled_at, $6 fingerprint,
-- $7 now, $8 the state read
UPDATE posts
SET post_id = $2, platform = $3, account_record_id = $4, scheduled_at = $5, fingerprint = $6,
    state = 'scheduled', attempts = 0, next_attempt_at = NULL, due_at = $5,
    intent_owner = NULL, last_error = NULL, updated_at = $7
WHERE record_id = $1
  AND state = $8
  AND state IN ('scheduled', 'retrying', 'cancelled', 'failed')
  AND intent_at IS NULL
