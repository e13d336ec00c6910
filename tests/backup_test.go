package tests

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
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
