-- Web Push subscriptions, reminder settings and reminder claims. All go
-- with the user (ON DELETE CASCADE).

CREATE TABLE push_subscription (
	endpoint   TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	p256dh     TEXT NOT NULL,
	auth       TEXT NOT NULL,
	created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX push_subscription_user ON push_subscription (user_id, created_at);

-- off is the turned-off reminder kinds, comma-separated.
CREATE TABLE reminder_settings (
	user_id      TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	off          TEXT NOT NULL,
	lead_minutes INTEGER NOT NULL,
	quiet_start  INTEGER NOT NULL,
	quiet_end    INTEGER NOT NULL
) WITHOUT ROWID;

-- One row per reminder (user, kind, slot, week): the scheduler instance
-- holding its lease, and done_at once it was sent or given up.
CREATE TABLE reminder_claim (
	key         TEXT PRIMARY KEY,
	user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	owner       TEXT NOT NULL,
	gen         INTEGER NOT NULL,
	lease_until INTEGER NOT NULL,
	done_at     INTEGER NOT NULL,
	created_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX reminder_claim_user ON reminder_claim (user_id);
CREATE INDEX reminder_claim_created ON reminder_claim (created_at);
