-- The earliest time a pending write is due (0: at once); no row when the outbox is empty.
SELECT MIN(next_attempt_at) FROM outbox
