SELECT DISTINCT table_name FROM outbox ORDER BY table_name
