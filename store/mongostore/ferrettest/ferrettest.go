// Package ferrettest starts an in-process FerretDB (SQLite handler) for tests
// of code that speaks the MongoDB wire protocol.
//
// It is test support only: import it from _test.go files and nowhere else, so
// that binaries built from non-test code never link FerretDB.
package ferrettest

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	gosync "sync"
	"testing"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// newMu serialises ferretdb.New, which writes a package variable of
// FerretDB's (its version info), so that tests may start servers in
// parallel under the race detector.
var newMu gosync.Mutex

// Server is a running (or stopped) FerretDB instance whose data lives in a
// test's temporary folder.
type Server struct {
	dir string // SQLite data folder

	mu     gosync.Mutex
	addr   string // host:port, fixed after the first start
	cancel context.CancelFunc
	done   chan struct{}
}

// Start starts FerretDB on a free loopback port with its data in a new
// temporary folder, and stops it and removes the folder when the test ends.
// It fails the test if FerretDB cannot start.
//
// The folder is made with os.MkdirTemp rather than t.TempDir: the latter is
// named after the test, and a '#' or '?' in a subtest's name would end the
// SQLite file URI early.
func Start(t testing.TB) *Server {
	t.Helper()
	dir, err := os.MkdirTemp("", "ferrettest-")
	if err != nil {
		t.Fatalf("ferrettest: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s, err := New(dir)
	if err != nil {
		t.Fatalf("ferrettest: %v", err)
	}
	t.Cleanup(s.Stop) // runs before the folder is removed
	return s
}

// New starts FerretDB on a free loopback port with its data in dir (an
// existing folder whose path has no '#', '?' or '%'), for a TestMain that
// shares one server among a package's tests. The caller must Stop it.
func New(dir string) (*Server, error) {
	if strings.ContainsAny(dir, "#?%") {
		return nil, fmt.Errorf("ferrettest: data folder %q: '#', '?' and '%%' do not fit in a SQLite file URI", dir)
	}
	s := &Server{dir: dir, addr: "127.0.0.1:0"}
	if err := s.start(); err != nil {
		return nil, err
	}
	return s, nil
}

// start runs a new FerretDB on s.addr; the caller must not hold s.mu.
func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		return nil // running already
	}
	newMu.Lock()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: s.addr},
		Handler:   "sqlite",
		SQLiteURL: "file:" + s.dir + "/",
		Logger:    slog.New(slog.DiscardHandler),
	})
	newMu.Unlock()
	if err != nil {
		return fmt.Errorf("start FerretDB on %s: %w", s.addr, err)
	}
	// The listener is bound by New, so the address is known now; keep it so
	// that Restart comes back on the same port.
	u, err := url.Parse(f.MongoDBURI())
	if err != nil {
		return fmt.Errorf("FerretDB address: %w", err)
	}
	s.addr = u.Host

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx) // returns nil once ctx is cancelled
	}()
	s.cancel, s.done = cancel, done
	return nil
}

// URI returns the MongoDB connection string of the server. It stays the same
// across Stop and Restart.
func (s *Server) URI() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return "mongodb://" + s.addr + "/"
}

// Addr returns the host:port the server listens on.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Stop stops the server and waits until its listener and every client
// connection are closed (FerretDB gives connected clients up to 3 s to
// leave). Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	cancel, done := s.cancel, s.done
	s.cancel, s.done = nil, nil
	s.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

// Restart starts a stopped server again on the same address with the same
// data folder, so clients configured with URI() reconnect to the same data.
// Restarting a running server does nothing.
func (s *Server) Restart() error {
	return s.start()
}
