package tests

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/internal/apitest"
)

// TestServerBinary runs the binary TestMain built: -help, a data folder it
// cannot use, and a normal life: listen on a free loopback port, log the
// URL, register and sign in over HTTP, stop cleanly on SIGTERM.
func TestServerBinary(t *testing.T) {
	t.Run("help", func(t *testing.T) {
		out, err := exec.Command(binaryPath, "-help").CombinedOutput()
		if err != nil {
			t.Fatalf("-help: %v\n%s", err, out)
		}
		for _, name := range []string{"ADDR", "DATA_DIR", "MONGODB_URI", "MONGODB_DB", "JWT_SECRET", "VAPID_SUBJECT",
			"PUBLIC_URL", "ADMIN_EMAIL", "ADMIN_PASSWORD", "PUSH_TEST_ENDPOINTS", "PUSH_RELAY_ADDRS", "PUSH_CA_FILE", "TRUSTED_PROXIES", "TOMBSTONE_TTL", "127.0.0.1:8080"} {
			if !bytes.Contains(out, []byte(name)) {
				t.Errorf("-help does not mention %s", name)
			}
		}
	})

	t.Run("unwritable data folder", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "a-file")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(binaryPath)
		cmd.Env = append(os.Environ(), "ADDR=127.0.0.1:0", "DATA_DIR="+filepath.Join(file, "data"), "LOG_FORMAT=json")
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() == 0 {
			t.Fatalf("exit %v, want a non-zero exit code\n%s", err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], "data folder") {
			t.Fatalf("want one clear error line, got:\n%s", out)
		}
	})

	t.Run("serve, register, login, SIGTERM", func(t *testing.T) {
		srv := launch(t, "LOG_FORMAT=json", "ADMIN_EMAIL=admin@example.org", "ADMIN_PASSWORD=admin password 1")
		t.Cleanup(srv.kill)
		if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || strings.HasSuffix(srv.URL, ":0") {
			t.Fatalf("logged url %q does not name the bound port", srv.URL)
		}
		c := newClient(t, srv.URL)
		c.must(http.MethodPost, "/api/v1/auth/register",
			`{"email":"Kari@Example.org","password":"kari password","name":"Kari"}`, nil, http.StatusCreated)
		var login struct {
			AccessToken string `json:"accessToken"`
		}
		res := c.api.Must(t, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login",
			Body: `{"email":"kari@example.org","password":"kari password"}`}, http.StatusOK, &login)
		if login.AccessToken == "" {
			t.Fatalf("login without an access token: %s", res.Body)
		}
		if len(res.Cookies) != 1 || res.Cookies[0].Name != "__Host-dagbok_refresh" {
			t.Fatalf("refresh cookie %v", res.Cookies)
		}
		c.api.Token = login.AccessToken
		c.must(http.MethodGet, "/api/v1/me", nil, nil, http.StatusOK)
		c.must(http.MethodPost, "/api/v1/auth/login", `{"email":"admin@example.org","password":"admin password 1"}`, nil, http.StatusOK)

		start := time.Now()
		if err := srv.stop(); err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, srv.logs)
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Fatalf("took %v to stop after SIGTERM", took)
		}
		logs := srv.logs.String()
		if strings.Contains(logs, `"level":"ERROR"`) || !strings.Contains(logs, `"msg":"stopped"`) {
			t.Fatalf("unclean shutdown:\n%s", logs)
		}
	})
}
