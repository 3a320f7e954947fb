-- Sessions per user: a hash join and aggregate.
SELECT u.id, u.name, count(s.session_id) AS sessions, sum(s.page_views) AS views
FROM users u JOIN user_sessions s ON s.user_id = u.id
WHERE u.department = 'sales'
GROUP BY u.id, u.name ORDER BY views DESC LIMIT 20;
