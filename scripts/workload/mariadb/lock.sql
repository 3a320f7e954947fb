-- Row-lock contention: three sessions update one hot row in transactions that linger.
BEGIN;
UPDATE acct SET v = v + 1 WHERE id = 1;
SELECT SLEEP(0.3);
COMMIT;
