SELECT state, COUNT(*) AS n FROM posts GROUP BY state
