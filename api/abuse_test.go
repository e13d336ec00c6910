package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/hit4x4/dagbok/api"
)

// TestMetricsLabelsBounded replays the attack of many made-up method names
// and paths: the series they add stay few, however many are sent.
func TestMetricsLabelsBounded(t *testing.T) {
	e := newEnv(t)
	hc := &http.Client{}
	for i := range 300 {
		method := fmt.Sprintf("X%s%d", strings.Repeat("M", 512), i)
		r, err := http.NewRequestWithContext(t.Context(), method, fmt.Sprintf("%s/api/v1/nope/%d", e.client.Base, i), nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := hc.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	body := string(e.do(req{Method: "GET", Path: "/metrics"}).Body)
	series := 0
	for line := range strings.Lines(body) {
		if strings.HasPrefix(line, "http_requests_total{") {
			series++
		}
	}
	if series > 5 || strings.Contains(body, "MMMM") || strings.Contains(body, "/nope/") {
		t.Fatalf("%d series after 300 made-up methods and paths (%d bytes of metrics)", series, len(body))
	}
	if !strings.Contains(body, `method="other"`) {
		t.Fatalf("unknown methods not counted as other:\n%s", body)
	}
}

// TestAccessLog: one line per request with method, route, status, duration
// and request id, and never the body, a token or an e-mail address.
func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	var mu = make(chan struct{}, 1)
	e := newEnv(t, func(c *api.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(lockedWriter{&buf, mu}, nil))
	})
	s := e.as("patient", "logged@example.org")
	e.do(req{Method: "GET", Path: "/api/v1/me", Token: s.Token})
	e.refresh(s.Cookie)
	mu <- struct{}{}
	out := buf.String()
	<-mu
	var lines []map[string]any
	for line := range strings.Lines(out) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 4 { // register, login, me, refresh
		t.Fatalf("%d access-log lines, want 4:\n%s", len(lines), out)
	}
	for _, m := range lines {
		for _, k := range []string{"method", "route", "status", "duration", "request_id"} {
			if m[k] == nil || m[k] == "" {
				t.Errorf("access-log line lacks %s: %v", k, m)
			}
		}
	}
	if lines[2]["route"] != "/api/v1/me" || lines[2]["status"] != float64(200) {
		t.Errorf("line for GET /me: %v", lines[2])
	}
	for _, secret := range []string{"logged@example.org", "correct horse", s.Token, s.Cookie.Value} {
		if strings.Contains(out, secret) {
			t.Fatalf("the log holds %q:\n%s", secret, out)
		}
	}
}

// lockedWriter serialises writes to a buffer the test reads.
type lockedWriter struct {
	buf *bytes.Buffer
	mu  chan struct{}
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu <- struct{}{}
	defer func() { <-w.mu }()
	return w.buf.Write(p)
}
