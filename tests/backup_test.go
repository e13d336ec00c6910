package tests

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestOnlineBackup copies the database with `dagbok backup FILE` while the
// server runs and takes writes, then starts a second server on the copy:
// the account and the synced sessions are there.
func TestOnlineBackup(t *testing.T) {
	dataDir := t.TempDir()
	srv := startServer(t, "DATA_DIR="+dataDir)
	ctx := context.Background()
	phone := newDevice("phone", signUp(t, srv.URL, "backup@example.no"))
	for range 20 {
		phone.edit(newID(), "session", map[string]any{"protocol": "4x4", "sessionRpe": 7})
	}
	if err := phone.push(ctx); err != nil {
		t.Fatal(err)
	}

	restored := t.TempDir()
	file := filepath.Join(restored, "app.db")
	cmd := exec.Command(binaryPath, "backup", file)
	cmd.Env = append(os.Environ(), "DATA_DIR="+dataDir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	again := exec.Command(binaryPath, "backup", file)
	again.Env = cmd.Env
	if out, err := again.CombinedOutput(); err == nil {
		t.Fatalf("a second backup over the first succeeded; it must refuse to overwrite:\n%s", out)
	}

	copySrv := startServer(t, "DATA_DIR="+restored)
	c := newClient(t, copySrv.URL)
	c.login("backup@example.no")
	fresh := newDevice("restored", c)
	if err := fresh.pull(ctx, 1000); err != nil {
		t.Fatal(err)
	}
	sameDocs(t, phone, fresh)
}

// TestCheckCommand: `dagbok check` runs SQLite's integrity check beside a
// serving server; after a page in the middle of the file is damaged, the
// check says so and the server refuses to start (its quick check at
// start) instead of serving until a pull touches the page.
func TestCheckCommand(t *testing.T) {
	dataDir := t.TempDir()
	srv := startServer(t, "DATA_DIR="+dataDir) // stopped below; stopping again is a no-op
	phone := newDevice("phone", signUp(t, srv.URL, "check@example.no"))
	for i := range 300 {
		phone.edit(newID(), "session", map[string]any{"protocol": "4x4", "note": strings.Repeat(fmt.Sprint(i%10), 400)})
	}
	if err := phone.push(t.Context()); err != nil {
		t.Fatal(err)
	}
	checkCmd := func() (string, error) {
		cmd := exec.Command(binaryPath, "check")
		cmd.Env = append(os.Environ(), "DATA_DIR="+dataDir, "LOG_FORMAT=text")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := checkCmd(); err != nil || !strings.Contains(out, "sound") {
		t.Fatalf("check of a sound database while serving: %v\n%s", err, out)
	}
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}

	db := filepath.Join(dataDir, "app.db")
	f, err := os.OpenFile(db, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, 4096), fi.Size()/4096/2*4096); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	if out, err := checkCmd(); err == nil || !strings.Contains(out, "integrity check") {
		t.Fatalf("check of a damaged database: %v\n%s", err, out)
	}
	start := exec.Command(binaryPath)
	start.Env = append(os.Environ(), "DATA_DIR="+dataDir, "ADDR=127.0.0.1:0", "LOG_FORMAT=text")
	out, err := start.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "damaged") {
		t.Fatalf("the server started on a damaged database: %v\n%s", err, out)
	}
}
