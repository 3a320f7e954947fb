-- Row-lock contention: a few hot rows updated in transactions that linger.
\set id random(1, 3)
BEGIN;
UPDATE users SET updated_at = now() WHERE id = :id;
SELECT pg_sleep(0.3);
COMMIT;
