-- Milliseconds from each published post's scheduled time to its publication, for one platform.
-- $1 platform (as the posts table keeps it: "Instagram", "TikTok", ...)
SELECT published_at - scheduled_at FROM posts WHERE state = 'published' AND published_at IS NOT NULL AND platform = $1
