-- Milliseconds from each published post's scheduled time to its publication.
SELECT published_at - scheduled_at FROM posts WHERE state = 'published' AND published_at IS NOT NULL
