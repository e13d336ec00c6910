package sqlitestore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/store/sqlitestore"
	"github.com/hit4x4/dagbok/store/storetest"
)

// open opens a store on a new file in the test's temporary folder.
func open(t *testing.T) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "app.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t) })
}
