-- The clinic side: a member's choice to share what was logged before the
-- join, and the audit log of reads of a patient's data by others.
ALTER TABLE membership ADD COLUMN share_history INTEGER NOT NULL DEFAULT 0;

CREATE TABLE audit (
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	at         INTEGER NOT NULL,
	actor_id   TEXT NOT NULL,
	actor_name TEXT NOT NULL,
	what       TEXT NOT NULL
);
CREATE INDEX audit_user ON audit (user_id, at);

-- One-time password-reset codes issued by a trainer or an admin (hashes).
CREATE TABLE reset_code (
	hash       TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_by TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX reset_code_user ON reset_code (user_id);

-- Archived groups keep their members; their codes stop working.
ALTER TABLE grp ADD COLUMN archived_at INTEGER NOT NULL DEFAULT 0;

-- A member may share their session notes with the group's trainer.
ALTER TABLE membership ADD COLUMN share_notes INTEGER NOT NULL DEFAULT 0;
