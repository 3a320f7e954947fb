-- Sample schema of the demo (the reference recipe's): users and their web sessions.
CREATE TABLE users (
  id serial PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL,
  department text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_department_idx ON users(department);
CREATE INDEX users_created_at_idx ON users(created_at);
CREATE TABLE user_sessions (
  session_id serial PRIMARY KEY,
  user_id int NOT NULL REFERENCES users(id),
  session_start timestamptz NOT NULL,
  session_end timestamptz,
  page_views int NOT NULL DEFAULT 0
);
INSERT INTO users(name, email, department, created_at)
SELECT 'user' || g, 'user' || g || '@example.test',
       (ARRAY['sales','engineering','support','finance','marketing','ops','legal','hr'])[1 + g % 8],
       now() - (g || ' minutes')::interval
FROM generate_series(1, 4000) g;
INSERT INTO user_sessions(user_id, session_start, session_end, page_views)
SELECT 1 + (g * 7919) % 4000, now() - (g || ' seconds')::interval, now() - ((g - 60) || ' seconds')::interval, g % 50
FROM generate_series(1, 40000) g;
ANALYZE;
