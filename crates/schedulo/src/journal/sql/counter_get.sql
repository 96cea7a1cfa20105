SELECT value FROM counters WHERE scenario = $1 AND name = $2
