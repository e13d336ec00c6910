-- Accounts, groups, invites, refresh tokens and the sync tables.
-- Times are Unix milliseconds (UTC); 0 stands for "not set".

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	name          TEXT NOT NULL,
	role          TEXT NOT NULL,
	birth_year    INTEGER NOT NULL,
	hr_max        INTEGER NOT NULL,
	time_zone     TEXT NOT NULL,
	language      TEXT NOT NULL,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
) WITHOUT ROWID;

-- owner_id has no foreign key: a group outlives the account that leads it.
CREATE TABLE grp (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	owner_id   TEXT NOT NULL,
	created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX grp_owner ON grp (owner_id, created_at);

CREATE TABLE membership (
	group_id  TEXT NOT NULL REFERENCES grp (id) ON DELETE CASCADE,
	user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	joined_at INTEGER NOT NULL,
	PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX membership_user ON membership (user_id, joined_at);

CREATE TABLE invite (
	code       TEXT PRIMARY KEY,
	role       TEXT NOT NULL,
	group_id   TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	max_uses   INTEGER NOT NULL,
	uses       INTEGER NOT NULL,
	revoked_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX invite_creator ON invite (created_by, created_at);

CREATE TABLE refresh_token (
	hash       TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	family     TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER NOT NULL,
	revoked_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX refresh_token_family ON refresh_token (family);
CREATE INDEX refresh_token_user ON refresh_token (user_id);

-- Written by compaction when it collects tombstones: head is the scope's
-- last sequence number at that time (the log's newest entry may be among
-- those collected, and sequence numbers must never be handed out twice),
-- horizon the highest sequence number of a collected tombstone (cursors
-- below it have missed a deletion).
CREATE TABLE sync_scope (
	scope   TEXT PRIMARY KEY,
	head    INTEGER NOT NULL,
	horizon INTEGER NOT NULL
) WITHOUT ROWID;

-- Current state of every document. fields is the canonical JSON of the
-- document's fields; seq is the change-log entry holding this state.
CREATE TABLE sync_doc (
	scope      TEXT NOT NULL,
	id         TEXT NOT NULL,
	type       TEXT NOT NULL,
	deleted    INTEGER NOT NULL,
	deleted_at INTEGER NOT NULL,
	seq        INTEGER NOT NULL,
	fields     BLOB NOT NULL,
	PRIMARY KEY (scope, id)
) WITHOUT ROWID;

-- The change log: the state of a document each time a push changed it.
CREATE TABLE sync_log (
	scope  TEXT NOT NULL,
	seq    INTEGER NOT NULL,
	id     TEXT NOT NULL,
	type   TEXT NOT NULL,
	fields BLOB NOT NULL,
	PRIMARY KEY (scope, seq)
) WITHOUT ROWID;

-- Batches applied, so that a re-sent batch changes nothing.
CREATE TABLE sync_batch (
	scope      TEXT NOT NULL,
	batch_id   TEXT NOT NULL,
	applied    INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (scope, batch_id)
) WITHOUT ROWID;
