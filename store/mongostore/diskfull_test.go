package mongostore

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/hit4x4/dagbok/store"
)

// TestMapErrOutOfDisk: the shapes in which a server says its disk is full
// become store.ErrStorageFull, also when a bulk write holds a duplicate
// key beside them; other errors keep their meaning.
func TestMapErrOutOfDisk(t *testing.T) {
	enospc := "WiredTiger error (28) [1700000000:0][1:0x7f], file:collection-7.wt, WT_CURSOR.insert: __posix_file_write, 617: /data/db/collection-7.wt: handle-write: pwrite: failed to write 4096 bytes at offset 8192: No space left on device"
	cases := []struct {
		name string
		err  error
		want error // nil: neither sentinel
	}{
		{"command error OutOfDiskSpace", mongo.CommandError{Code: codeOutOfDiskSpace, Name: "OutOfDiskSpace", Message: "Disk space is low"}, store.ErrStorageFull},
		{"write error OutOfDiskSpace", mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: codeOutOfDiskSpace, Message: "out of disk space"}}}, store.ErrStorageFull},
		{"WiredTiger ENOSPC as UnknownError", mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 8, Message: enospc}}}, store.ErrStorageFull},
		{"write concern error", mongo.WriteException{WriteConcernError: &mongo.WriteConcernError{Code: 1, Message: "fsync: No space left on device"}}, store.ErrStorageFull},
		{"FerretDB over SQLite", mongo.CommandError{Code: 1, Name: "InternalError", Message: "sqlite: database or disk is full"}, store.ErrStorageFull},
		{"bulk write: full beside duplicate", mongo.BulkWriteException{WriteErrors: []mongo.BulkWriteError{
			{WriteError: mongo.WriteError{Index: 0, Code: 11000, Message: "E11000 duplicate key"}},
			{WriteError: mongo.WriteError{Index: 1, Code: codeOutOfDiskSpace, Message: "out of disk space"}},
		}}, store.ErrStorageFull},
		{"wrapped", fmt.Errorf("hook: %w", mongo.CommandError{Code: codeOutOfDiskSpace}), store.ErrStorageFull},
		{"duplicate key", mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 11000, Message: "E11000 duplicate key"}}}, store.ErrDuplicate},
		{"no document", mongo.ErrNoDocuments, store.ErrNotFound},
		{"other server error", mongo.CommandError{Code: 8, Message: "something else"}, nil},
		{"not a server error", errors.New("No space left on device"), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := mapErr("write", c.err)
			for _, s := range []error{store.ErrStorageFull, store.ErrDuplicate, store.ErrNotFound} {
				if got := errors.Is(err, s); got != (s == c.want) {
					t.Errorf("mapErr(%v): errors.Is(%v) = %v", c.err, s, got)
				}
			}
			if c.err != mongo.ErrNoDocuments && !strings.Contains(err.Error(), c.err.Error()) {
				t.Errorf("mapErr(%v) = %v, does not say the cause", c.err, err)
			}
		})
	}
}
