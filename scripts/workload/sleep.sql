-- A client waiting on the server's timer (Timeout:PgSleep).
SELECT pg_sleep(0.5);
