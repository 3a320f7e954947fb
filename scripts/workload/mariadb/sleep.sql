-- A client waiting on the server's timer (wait/synch/cond/sql/Item_func_sleep::cond).
SELECT SLEEP(0.5);
