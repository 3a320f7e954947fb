-- Aggregate by department.
SELECT department, count(*), min(created_at), max(updated_at) FROM users GROUP BY department;
