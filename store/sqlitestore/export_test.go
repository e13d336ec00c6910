package sqlitestore

import "time"

// SetNow makes s read the time from now for its own bookkeeping (when a
// batch was applied, when a tombstone was written), so that tests can move
// time. Call it before s is used.
func SetNow(s *Store, now func() time.Time) { s.now = now }
