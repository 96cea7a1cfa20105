-- Scheduled/Retrying -> Cancelled for a post no longer in Airtable's list, if it is still in the
-- window [$4, $5) that was read. $1 record_id, $2 reason, $3 now
UPDATE posts
SET state = 'cancelled', last_error = $2, updated_at = $3
WHERE record_id = $1 AND state IN ('scheduled', 'retrying') AND scheduled_at >= $4 AND scheduled_at < $5
