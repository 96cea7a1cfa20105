SELECT value FROM scenario_state WHERE scenario = $1 AND key = $2
