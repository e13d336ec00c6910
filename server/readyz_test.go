package main

import (
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/internal/apitest"
	"github.com/hit4x4/dagbok/store/mongostore/ferrettest"
)

// TestReadyzFollowsMongoStore runs the server on the Mongo store (an
// in-test FerretDB): /readyz answers 503 while the database is down and 200
// again once it is back, while /healthz stays 200 throughout.
func TestReadyzFollowsMongoStore(t *testing.T) {
	if testing.Short() {
		t.Skip("starts FerretDB")
	}
	db := ferrettest.Start(t)
	cfg, err := parseConfig(nil, env(map[string]string{
		"ADDR": "127.0.0.1:0", "DATA_DIR": t.TempDir(), "MONGODB_URI": db.URI(), "MONGODB_DB": "readyz",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMain(cfg, slog.New(slog.DiscardHandler))
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })

	c := newClient(t, m)
	c.HTTP = &http.Client{Timeout: 10 * time.Second}
	status := func(path string) int {
		return c.Do(t, apitest.Request{Method: http.MethodGet, Path: path}).Status
	}
	waitStatus := func(want int) {
		t.Helper()
		var got int
		if err := apitest.Poll(t.Context(), 20*time.Second, func() bool { got = status("/readyz"); return got == want }); err != nil {
			t.Fatalf("/readyz %d, want %d: %v", got, want, err)
		}
	}

	waitStatus(http.StatusOK)
	db.Stop()
	waitStatus(http.StatusServiceUnavailable)
	if got := status("/healthz"); got != http.StatusOK {
		t.Fatalf("/healthz %d while the store is down", got)
	}
	if err := db.Restart(); err != nil {
		t.Fatal(err)
	}
	waitStatus(http.StatusOK)
}
