SELECT state, COUNT(*) AS n FROM media_jobs GROUP BY state ORDER BY state
