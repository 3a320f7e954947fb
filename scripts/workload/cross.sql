-- CPU-heavy: a self cross join of users in the same department.
SELECT a.department, count(*) FROM users a, users b
WHERE a.department = b.department AND a.id < b.id AND a.id % 5 = 0
GROUP BY a.department;
