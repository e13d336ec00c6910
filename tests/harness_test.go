// Package tests holds the end-to-end tests: they build the real server
// binary, start it on loopback with its own data folder and talk to it over
// HTTP, as a phone or a trainer's browser would.
package tests

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/internal/apitest"
)

// Set by TestMain for the whole package: the server, built once, and the
// API's OpenAPI document that every client checks its exchanges against.
var (
	binaryPath string
	apiSpec    *apitest.Spec
)

func TestMain(m *testing.M) {
	spec, err := apitest.LoadSpec(api.OpenAPI())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	apiSpec = spec
	dir, err := os.MkdirTemp("", "dagbok-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binaryPath = filepath.Join(dir, "dagbok")
	build := exec.Command("go", "build", "-o", binaryPath, "./server")
	build.Dir = ".."
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the server:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is one running instance of the binary.
type server struct {
	cmd     *exec.Cmd
	URL     string // base URL without a trailing slash
	logs    *logBuffer
	done    chan struct{} // closed when the process has exited
	exitErr error         // valid after done is closed
}

// logBuffer collects the server's output for failure messages.
type logBuffer struct {
	mu  gosync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) line(p []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	b.buf.WriteByte('\n')
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer runs the binary on a free loopback port with its own data
// folder (unless env sets DATA_DIR) and waits until /healthz answers.
func startServer(t *testing.T, env ...string) *server {
	t.Helper()
	s := launch(t, env...)
	t.Cleanup(func() { s.stop() })
	return s
}

func launch(t *testing.T, env ...string) *server {
	t.Helper()
	base := []string{"ADDR=127.0.0.1:0", "DATA_DIR=" + t.TempDir()}
	cmd := exec.Command(binaryPath)
	cmd.Env = append(append(os.Environ(), base...), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, logs: new(logBuffer), done: make(chan struct{})}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Bytes()
			s.logs.line(line)
			var rec struct {
				URL string `json:"url"`
			}
			if !sent && json.Unmarshal(line, &rec) == nil && rec.URL != "" {
				urlc <- strings.TrimSuffix(rec.URL, "/")
				sent = true
			}
		}
		s.exitErr = cmd.Wait()
		close(s.done)
	}()
	select {
	case s.URL = <-urlc:
	case <-s.done:
		t.Fatalf("server exited before it listened: %v\n%s", s.exitErr, s.logs)
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("server did not log its URL within 30 s\n%s", s.logs)
	}
	waitHealthy(t, s.URL)
	return s
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	c := newClient(t, base)
	err := apitest.Poll(t.Context(), 15*time.Second, func() bool {
		code, err := c.do(t.Context(), http.MethodGet, "/healthz", nil, nil)
		return err == nil && code == http.StatusOK
	})
	if err != nil {
		t.Fatalf("%s/healthz never answered 200: %v", base, err)
	}
}

// stop sends SIGTERM and waits for the process; it returns the exit error
// (nil for a clean exit, also when the process had ended before).
func (s *server) stop() error {
	select {
	case <-s.done:
		return s.exitErr
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return s.exitErr
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		return fmt.Errorf("server did not stop within 15 s after SIGTERM")
	}
}

// kill ends the process at once, as a power cut or an OOM kill would.
func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.done
}

// client is a user's HTTP client with its access token: the shared test
// client, which checks every exchange against the API's OpenAPI document.
type client struct {
	t   *testing.T
	api *apitest.Client
}

func newClient(t *testing.T, base string) *client {
	return &client{t: t, api: &apitest.Client{Base: base, HTTP: &http.Client{Timeout: 60 * time.Second}, Spec: apiSpec}}
}

// do sends a JSON request and decodes a JSON answer into out (when not nil).
// It returns the status code; transport errors are returned, not fatal, so
// callers can test behaviour while a server is down.
func (c *client) do(ctx context.Context, method, path string, body, out any) (int, error) {
	res, err := c.api.Send(ctx, apitest.Request{Method: method, Path: path, Body: body})
	if err != nil {
		return 0, err
	}
	if out != nil && len(res.Body) > 0 {
		if err := json.Unmarshal(res.Body, out); err != nil {
			return res.Status, fmt.Errorf("decoding %s %s answer %q: %w", method, path, res.Body, err)
		}
	}
	return res.Status, nil
}

// must is do for steps that have to succeed with the given status.
func (c *client) must(method, path string, body, out any, want int) {
	c.t.Helper()
	c.api.Must(c.t, apitest.Request{Method: method, Path: path, Body: body}, want, out)
}

// signUp registers a patient and logs in, returning a client that carries
// the access token.
func signUp(t *testing.T, base, email string) *client {
	t.Helper()
	c := newClient(t, base)
	creds := map[string]string{"email": email, "password": "correct horse battery staple", "name": "Test"}
	c.must(http.MethodPost, "/api/v1/auth/register", creds, nil, http.StatusCreated)
	c.login(email)
	return c
}

func (c *client) login(email string) {
	c.t.Helper()
	var out struct {
		AccessToken string `json:"accessToken"`
	}
	creds := map[string]string{"email": email, "password": "correct horse battery staple"}
	c.must(http.MethodPost, "/api/v1/auth/login", creds, &out, http.StatusOK)
	if out.AccessToken == "" {
		c.t.Fatal("login answered without an access token")
	}
	c.api.Token = out.AccessToken
}
