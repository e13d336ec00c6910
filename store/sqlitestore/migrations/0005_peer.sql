-- Peer groups: the weekly group session and the members' answers
-- ("coming" or "not this time") for a given date.
CREATE TABLE group_schedule (
	group_id   TEXT PRIMARY KEY REFERENCES grp (id) ON DELETE CASCADE,
	weekday    INTEGER NOT NULL,
	time       TEXT NOT NULL,
	place      TEXT NOT NULL,
	note       TEXT NOT NULL,
	time_zone  TEXT NOT NULL,
	updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE group_rsvp (
	group_id TEXT NOT NULL REFERENCES grp (id) ON DELETE CASCADE,
	date     TEXT NOT NULL,
	user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	coming   INTEGER NOT NULL,
	at       INTEGER NOT NULL,
	PRIMARY KEY (group_id, date, user_id)
) WITHOUT ROWID;
CREATE INDEX group_rsvp_user ON group_rsvp (user_id);
