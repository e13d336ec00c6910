package mongostore

import "context"

// SetAfterDocWrite makes s run hook in every Push after the documents are
// written and before the change log is appended; an error it returns fails
// the push there. Tests inject faults and stalls with it. Call it before s
// is used.
func SetAfterDocWrite(s *Store, hook func(ctx context.Context) error) { s.afterWrite = hook }
