-- From the clinic to everyday life: when a treatment group's trainer
-- suggests the next step, and the peer groups' codes handed to patients
-- as invitations they may accept.
ALTER TABLE grp ADD COLUMN next_step_weeks INTEGER NOT NULL DEFAULT 0;

CREATE TABLE invitation (
	user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	group_id      TEXT NOT NULL REFERENCES grp (id) ON DELETE CASCADE,
	id            TEXT NOT NULL UNIQUE,
	code          TEXT NOT NULL,
	from_group_id TEXT NOT NULL,
	invited_by    TEXT NOT NULL,
	created_at    INTEGER NOT NULL,
	PRIMARY KEY (user_id, group_id)
) WITHOUT ROWID;
CREATE INDEX invitation_group ON invitation (group_id);
