-- Peer groups: what a member shows the others ("trained this week", the
-- number of sessions this week), and the members the peer leader ticked
-- present at a group session.
ALTER TABLE membership ADD COLUMN share_trained INTEGER NOT NULL DEFAULT 0;
ALTER TABLE membership ADD COLUMN share_sessions INTEGER NOT NULL DEFAULT 0;

CREATE TABLE group_attendance (
	group_id TEXT NOT NULL REFERENCES grp (id) ON DELETE CASCADE,
	date     TEXT NOT NULL,
	user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	at       INTEGER NOT NULL,
	PRIMARY KEY (group_id, date, user_id)
) WITHOUT ROWID;
CREATE INDEX group_attendance_user ON group_attendance (user_id);
