-- Peer groups: the latest notice of each group, posted by its leader. It
-- goes with the group and with the account that posted it.
CREATE TABLE group_notice (
	group_id  TEXT PRIMARY KEY REFERENCES grp (id) ON DELETE CASCADE,
	text      TEXT NOT NULL,
	posted_at INTEGER NOT NULL,
	by_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX group_notice_by ON group_notice (by_id);
