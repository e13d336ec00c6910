package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/internal/apitest"
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

// loopbackProxy trusts X-Forwarded-For from loopback, so one test can be
// many clients.
func loopbackProxy(c *api.Config) {
	c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
}

// loginFrom signs in from the client address ip.
func (e *env) loginFrom(ip, email, password string) *resp {
	e.t.Helper()
	return e.do(req{Method: "POST", Path: "/api/v1/auth/login", Header: map[string]string{"X-Forwarded-For": ip},
		Body: map[string]string{"email": email, "password": password}})
}

// TestLoginLimiterFlood replays the flood that filled the per-IP limiter:
// every one of many addresses spends its whole burst on empty sign-ins,
// and keeps at it. Addresses never seen before still sign in during it.
func TestLoginLimiterFlood(t *testing.T) {
	const keys, addresses, burst = 200, 600, 20
	e := newEnv(t, loopbackProxy, func(c *api.Config) { c.RateLimitKeys = keys })
	e.register("kari@example.org", testPassword, "Kari", "")

	var sent atomic.Int64
	stop := make(chan struct{})
	var wg gosync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			hc := &http.Client{}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				n := (i / burst) % (addresses / 4)
				ip := fmt.Sprintf("10.%d.%d.%d", w, n/250, n%250)
				r, err := http.NewRequestWithContext(t.Context(), "POST", e.client.Base+"/api/v1/auth/login", strings.NewReader(""))
				if err != nil {
					t.Error(err)
					return
				}
				r.Header.Set("X-Forwarded-For", ip)
				res, err := hc.Do(r)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				sent.Add(1)
			}
		})
	}
	defer func() { close(stop); wg.Wait() }()
	// Once every address has spent its burst, the limiter is full of
	// empty buckets.
	if err := apitest.Poll(t.Context(), 30*time.Second, func() bool { return sent.Load() > addresses*burst }); err != nil {
		t.Fatalf("flood: %v after %d requests", err, sent.Load())
	}
	for i := range 5 {
		ip := fmt.Sprintf("192.0.2.%d", i+1)
		if r := e.loginFrom(ip, "kari@example.org", testPassword); r.Status != http.StatusOK {
			t.Fatalf("a fresh address during the flood (%d requests sent): %d %s", sent.Load(), r.Status, r.Body)
		}
	}
}

// TestOneAddressCannotLockAUserOut: wrong passwords from one address lock
// that address out of the account, not the account's owner elsewhere;
// many addresses together meet the account's larger budget, and even then
// a phone that is signed in stays so.
func TestOneAddressCannotLockAUserOut(t *testing.T) {
	e := newEnv(t, loopbackProxy)
	e.register("kari@example.org", testPassword, "Kari", "")
	phone := e.login("kari@example.org", testPassword)

	// One wrong try every 4 s from one address, for two hours.
	for range 1800 {
		e.loginFrom("203.0.113.66", "kari@example.org", "wrong password")
		e.clock.Advance(4 * time.Second)
	}
	e.loginFrom("203.0.113.66", "kari@example.org", testPassword).ExpectError(t, http.StatusTooManyRequests, api.CodeRateLimited)
	if r := e.loginFrom("198.51.100.7", "kari@example.org", testPassword); r.Status != http.StatusOK {
		t.Fatalf("the owner from her own network: %d %s", r.Status, r.Body)
	}

	// A hundred networks spend the account's budget.
	for i := range 101 {
		e.loginFrom(fmt.Sprintf("203.0.%d.%d", 114+i/200, i%200+1), "kari@example.org", "wrong password")
	}
	e.loginFrom("198.51.100.8", "kari@example.org", testPassword).ExpectError(t, http.StatusTooManyRequests, api.CodeRateLimited)
	if r := e.refresh(phone.Cookie); r.Status != http.StatusOK {
		t.Fatalf("the signed-in phone after the lockout: %d %s", r.Status, r.Body)
	}
}

// TestGroupCodeGuessing replays guessing at group codes from one token
// and from one network: every failed join counts, a malformed code too,
// per user and per network, and so do registrations with a wrong code.
// Someone elsewhere still joins with the right code.
func TestGroupCodeGuessing(t *testing.T) {
	e := newEnv(t, loopbackProxy)
	trainer := e.as("trainer", "trainer@example.org")
	g := e.createGroup(trainer, "Onsdagsgruppa", "treatment")
	join := func(s session, ip, code string) *resp {
		return e.do(req{Method: "POST", Path: "/api/v1/groups/join", Token: s.Token,
			Header: map[string]string{"X-Forwarded-For": ip}, Body: map[string]string{"code": code}})
	}
	guesses := []string{"x", "ABCDEFGHJKMN", "ABCD-EFGH-JKMP", "0000", "ZZZZZZZZZZZZ"}

	guesser := e.as("patient", "guesser@example.org")
	for i := range 10 {
		join(guesser, "198.51.100.1", guesses[i%len(guesses)]).ExpectError(t, http.StatusUnprocessableEntity, api.CodeValidation)
	}
	r := join(guesser, "198.51.100.2", g.InviteCode) // the user's budget is spent, wherever they are
	r.ExpectError(t, http.StatusTooManyRequests, api.CodeRateLimited)
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}

	// Another account on the guesser's first network has ten guesses left
	// there (the network's budget is twenty), and registering with a code
	// counts too.
	second := e.as("patient", "second@example.org")
	for i := range 9 {
		join(second, "198.51.100.1", guesses[i%len(guesses)]).ExpectError(t, http.StatusUnprocessableEntity, api.CodeValidation)
	}
	e.do(req{Method: "POST", Path: "/api/v1/auth/register", Header: map[string]string{"X-Forwarded-For": "198.51.100.1"},
		Body: map[string]string{"email": "third@example.org", "password": testPassword, "name": "T", "inviteCode": "ABCDEFGHJKMN"}}).
		ExpectError(t, http.StatusUnprocessableEntity, api.CodeValidation)
	join(second, "198.51.100.1", g.InviteCode).ExpectError(t, http.StatusTooManyRequests, api.CodeRateLimited)

	honest := e.as("patient", "honest@example.org")
	if r := join(honest, "203.0.113.9", g.InviteCode); r.Status != http.StatusOK {
		t.Fatalf("an honest join elsewhere: %d %s", r.Status, r.Body)
	}
	// Once the network has waited, the second account joins there too.
	e.clock.Advance(time.Minute)
	if r := join(second, "198.51.100.1", g.InviteCode); r.Status != http.StatusOK {
		t.Fatalf("a join after waiting: %d %s", r.Status, r.Body)
	}
}
