-- Peer groups: one-off changes and cancellations of the weekly group
-- session, keyed by the group and the session's regular date.
CREATE TABLE group_session_change (
	group_id   TEXT NOT NULL REFERENCES grp (id) ON DELETE CASCADE,
	date       TEXT NOT NULL,
	cancelled  INTEGER NOT NULL,
	reason     TEXT NOT NULL,
	moved_to   TEXT NOT NULL,
	time       TEXT NOT NULL,
	place      TEXT NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (group_id, date)
) WITHOUT ROWID;
