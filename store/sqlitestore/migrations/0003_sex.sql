-- The profile's optional sex, the reference table of fitness age:
-- 'female', 'male' or '' when not given.
ALTER TABLE users ADD COLUMN sex TEXT NOT NULL DEFAULT '';
