package tests

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildServer compiles ./server into a temporary folder.
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "dagbok-server")
	cmd := exec.Command("go", "build", "-o", bin, "./server")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./server: %v\n%s", err, out)
	}
	return bin
}

// TestServerBinary starts the real binary on a free loopback port, finds
// its URL in the log, registers and signs in over HTTP, then stops it with
// SIGTERM and expects a clean exit.
func TestServerBinary(t *testing.T) {
	bin := buildServer(t)

	t.Run("help", func(t *testing.T) {
		out, err := exec.Command(bin, "-help").CombinedOutput()
		if err != nil {
			t.Fatalf("-help: %v\n%s", err, out)
		}
		for _, name := range []string{"ADDR", "DATA_DIR", "MONGODB_URI", "MONGODB_DB", "JWT_SECRET", "VAPID_SUBJECT",
			"PUBLIC_URL", "ADMIN_EMAIL", "ADMIN_PASSWORD", "PUSH_TEST_ENDPOINTS", "TRUSTED_PROXIES", "TOMBSTONE_TTL", "127.0.0.1:8080"} {
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
		cmd := exec.Command(bin)
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
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "ADDR=127.0.0.1:0", "DATA_DIR="+t.TempDir(), "LOG_FORMAT=json",
			"ADMIN_EMAIL=admin@example.org", "ADMIN_PASSWORD=admin password 1")
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		var logs bytes.Buffer
		urlc := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				logs.Write(sc.Bytes())
				logs.WriteByte('\n')
				var rec struct {
					URL string `json:"url"`
				}
				if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.URL != "" {
					urlc <- rec.URL
				}
			}
			done <- cmd.Wait()
		}()
		t.Cleanup(func() { cmd.Process.Kill() })

		var base string
		select {
		case base = <-urlc:
		case err := <-done:
			t.Fatalf("exited before listening: %v\n%s", err, logs.String())
		case <-time.After(30 * time.Second):
			t.Fatalf("no url logged within 30 s")
		}
		if !strings.HasPrefix(base, "http://127.0.0.1:") || strings.HasSuffix(base, ":0/") || !strings.HasSuffix(base, "/") {
			t.Fatalf("logged url %q", base)
		}
		client := &http.Client{Timeout: 10 * time.Second}
		waitFor(t, client, base+"healthz")

		post := func(path, body string) *http.Response {
			t.Helper()
			res, err := client.Post(base+path, "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { res.Body.Close() })
			return res
		}
		if res := post("api/v1/auth/register", `{"email":"Kari@Example.org","password":"kari password","name":"Kari"}`); res.StatusCode != http.StatusCreated {
			b, _ := io.ReadAll(res.Body)
			t.Fatalf("register: %d %s", res.StatusCode, b)
		}
		res := post("api/v1/auth/login", `{"email":"kari@example.org","password":"kari password"}`)
		var login struct {
			AccessToken string `json:"accessToken"`
			User        struct {
				Role string `json:"role"`
			} `json:"user"`
		}
		if err := json.NewDecoder(res.Body).Decode(&login); err != nil || res.StatusCode != http.StatusOK || login.AccessToken == "" {
			t.Fatalf("login: %d %v %+v", res.StatusCode, err, login)
		}
		if len(res.Cookies()) != 1 || res.Cookies()[0].Name != "__Host-dagbok_refresh" {
			t.Fatalf("refresh cookie %v", res.Cookies())
		}
		req, _ := http.NewRequest("GET", base+"api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+login.AccessToken)
		me, err := client.Do(req)
		if err != nil || me.StatusCode != http.StatusOK {
			t.Fatalf("me: %v %v", me, err)
		}
		me.Body.Close()
		if res := post("api/v1/auth/login", `{"email":"admin@example.org","password":"admin password 1"}`); res.StatusCode != http.StatusOK {
			t.Fatalf("first admin cannot sign in: %d", res.StatusCode)
		}

		start := time.Now()
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Fatalf("still running 10 s after SIGTERM\n%s", logs.String())
		}
		t.Logf("stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))
		if strings.Contains(logs.String(), `"level":"ERROR"`) {
			t.Fatalf("errors logged:\n%s", logs.String())
		}
	})
}

func waitFor(t *testing.T, client *http.Client, url string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		res, err := client.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered 200", url)
}
