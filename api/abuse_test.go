package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"path/filepath"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/internal/apitest"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/store/sqlitestore"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
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
	const keys, addresses, burst = 100, 300, 20
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

	// One wrong try every 4 s from one address, for an hour.
	for range 900 {
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

// blockingPushes is the SQLite store with pushes that wait inside the
// store until released, so a test holds pushes in flight.
type blockingPushes struct {
	*sqlitestore.Store
	entered chan struct{}
	release chan struct{}
}

func (b *blockingPushes) Push(ctx context.Context, scope, batchID string, docs []sync.Doc) (store.PushResult, error) {
	b.entered <- struct{}{}
	<-b.release
	return b.Store.Push(ctx, scope, batchID, docs)
}

// TestPushesInFlightAreBounded replays many concurrent pushes: one user's
// beyond their bound are refused at once, everyone's beyond the overall
// bound after a short wait, both with 503 and Retry-After; the pushes
// that got in finish.
func TestPushesInFlightAreBounded(t *testing.T) {
	bp := &blockingPushes{entered: make(chan struct{}), release: make(chan struct{})}
	e := newEnv(t, func(c *api.Config) {
		bp.Store = c.Store.(*sqlitestore.Store)
		c.Store = bp
		c.PushesPerUser, c.PushesInFlight, c.PushWait = 2, 3, 50*time.Millisecond
	})
	a, b, c := e.as("patient", "a@example.org"), e.as("patient", "b@example.org"), e.as("patient", "c@example.org")
	now := e.clock.Now()
	doc := func(id string) sync.Doc {
		return synctest.Session(t, id, synctest.Stamp(now, "phone"), "durationMin", 30)
	}

	held := make(chan *resp, 3)
	for i, s := range []session{a, a, b} {
		go func() { held <- e.push(s, fmt.Sprintf("held-%d", i), doc(fmt.Sprintf("h%d", i))) }()
		<-bp.entered
	}
	for name, s := range map[string]session{"a third push of one user": a, "a push over the overall bound": c} {
		r := e.push(s, "refused", doc("r"))
		r.ExpectError(t, http.StatusServiceUnavailable, api.CodeUnavailable)
		if r.Header.Get("Retry-After") == "" {
			t.Fatalf("%s: 503 without Retry-After", name)
		}
	}
	close(bp.release)
	for range 3 {
		if r := <-held; r.Status != http.StatusOK {
			t.Fatalf("a push in flight: %d %s", r.Status, r.Body)
		}
	}
}

// TestPushRateAdmitsEightDevicesCatchingUp: with the default limits, one
// user's eight devices each push 25 batches of 100 documents at once, and
// every batch is taken.
func TestPushRateAdmitsEightDevicesCatchingUp(t *testing.T) {
	e := newEnv(t)
	s := e.as("patient", "eight@example.org")
	now := e.clock.Now()
	var wg gosync.WaitGroup
	failed := make(chan string, 8*25)
	for dev := range 8 {
		wg.Go(func() {
			node := fmt.Sprintf("dev%d", dev)
			for batch := range 25 {
				docs := make([]sync.Doc, 100)
				for i := range docs {
					docs[i] = synctest.Session(t, fmt.Sprintf("%s-%d-%d", node, batch, i), synctest.Stamp(now, node), "durationMin", 30)
				}
				r, err := e.client.Send(t.Context(), req{Method: "POST", Path: "/api/v1/sync/push", Token: s.Token,
					Body: sync.PushRequest{BatchID: fmt.Sprintf("%s-%d", node, batch), Docs: docs}})
				if err != nil {
					failed <- err.Error()
				} else if r.Status != http.StatusOK {
					failed <- fmt.Sprintf("%d %s", r.Status, r.Body)
				}
			}
		})
	}
	wg.Wait()
	close(failed)
	for f := range failed {
		t.Error(f)
	}
}

// TestQuotaStopsOneUserFillingTheDisk replays one fresh patient pushing
// from four threads as fast as they can: once the user keeps as much as
// the quota allows, every push is refused with 507 quota_exceeded, what
// they keep stays within the quota plus the pushes then in flight, and
// everyone else still writes.
func TestQuotaStopsOneUserFillingTheDisk(t *testing.T) {
	quota := api.Quota{Docs: 1_000, Bytes: 1 << 20}
	e := newEnv(t, func(c *api.Config) { c.Quota = quota })
	filler := e.as("patient", "filler@example.org")
	now := e.clock.Now()
	note := strings.Repeat("x", 2000)
	var wg gosync.WaitGroup
	refused := make(chan *resp, 4)
	for thread := range 4 {
		wg.Go(func() {
			for batch := range 100 {
				docs := make([]sync.Doc, 50)
				for i := range docs {
					docs[i] = synctest.Session(t, fmt.Sprintf("t%d-%d-%d", thread, batch, i), synctest.Stamp(now, "filler"), "note", note)
				}
				r, err := e.client.Send(t.Context(), req{Method: "POST", Path: "/api/v1/sync/push", Token: filler.Token,
					Body: sync.PushRequest{BatchID: fmt.Sprintf("t%d-%d", thread, batch), Docs: docs}})
				if err != nil {
					t.Error(err)
					return
				}
				if r.Status != http.StatusOK {
					refused <- r
					return
				}
			}
			t.Error("a hundred batches taken, none refused")
		})
	}
	wg.Wait()
	close(refused)
	for r := range refused {
		r.ExpectError(t, http.StatusInsufficientStorage, api.CodeQuotaExceeded)
	}
	u, err := e.store.Usage(t.Context(), filler.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	inFlight := int64(4 * 50) // the pushes that may have started below the quota
	if u.Docs > quota.Docs+inFlight || u.Bytes > quota.Bytes+2*inFlight*int64(len(note)+200) {
		t.Fatalf("the filler keeps %+v, quota %+v", u, quota)
	}
	other := e.as("patient", "other@example.org")
	if r := e.push(other, "b1", synctest.Session(t, "s1", synctest.Stamp(now, "phone"), "durationMin", 30)); r.Status != http.StatusOK {
		t.Fatalf("another user's push: %d %s", r.Status, r.Body)
	}
}

// TestStorageFull fills the database to the size it may grow to (as a full
// disk would stop it): writes then answer 507 storage_full, /readyz 503
// and the metric 1, and every push acknowledged before is still there.
func TestStorageFull(t *testing.T) {
	e := newEnv(t, func(c *api.Config) {
		st, err := sqlitestore.Open(t.Context(), sqlitestore.Config{Path: filepath.Join(t.TempDir(), "small.db"), MaxBytes: 400 << 10})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		c.Store = st
	})
	s := e.as("patient", "full@example.org")
	now := e.clock.Now()
	note := strings.Repeat("y", 1500)
	acked := 0
	var last *resp
	for batch := range 200 {
		docs := make([]sync.Doc, 20)
		for i := range docs {
			docs[i] = synctest.Session(t, fmt.Sprintf("d%d-%d", batch, i), synctest.Stamp(now, "phone"), "note", note)
		}
		last = e.push(s, fmt.Sprintf("b%d", batch), docs...)
		if last.Status != http.StatusOK {
			break
		}
		acked += len(docs)
	}
	last.ExpectError(t, http.StatusInsufficientStorage, api.CodeStorageFull)
	if acked == 0 {
		t.Fatal("not one push was taken before the store was full")
	}
	e.do(req{Method: "GET", Path: "/readyz"}).ExpectError(t, http.StatusServiceUnavailable, api.CodeUnavailable)
	if body := string(e.do(req{Method: "GET", Path: "/metrics"}).Body); !strings.Contains(body, "dagbok_storage_full 1") {
		t.Fatalf("metrics do not say the store is full:\n%s", body)
	}
	got := 0
	for cursor := "0"; ; {
		page, r := e.pull(s, cursor, 1000)
		if r.Status != http.StatusOK {
			t.Fatalf("pull: %d %s", r.Status, r.Body)
		}
		got += len(page.Docs)
		if !page.More {
			break
		}
		cursor = page.Cursor
	}
	if got != acked {
		t.Fatalf("%d documents acknowledged, %d pulled back", acked, got)
	}
}

// TestPushRate: a user pushing faster than the push rate for longer than
// its burst gets 429 with Retry-After; other users do not notice.
func TestPushRate(t *testing.T) {
	e := newEnv(t, func(c *api.Config) { c.PushRate = api.Limit{Burst: 3, Every: time.Minute} })
	a, b := e.as("patient", "a@example.org"), e.as("patient", "b@example.org")
	now := e.clock.Now()
	doc := synctest.Session(t, "s1", synctest.Stamp(now, "phone"), "durationMin", 30)
	for i := range 3 {
		if r := e.push(a, fmt.Sprint("b", i), doc); r.Status != http.StatusOK {
			t.Fatalf("push %d: %d %s", i, r.Status, r.Body)
		}
	}
	r := e.push(a, "b3", doc)
	r.ExpectError(t, http.StatusTooManyRequests, api.CodeRateLimited)
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	if r := e.push(b, "b0", doc); r.Status != http.StatusOK {
		t.Fatalf("another user's push: %d %s", r.Status, r.Body)
	}
	e.clock.Advance(time.Minute)
	if r := e.push(a, "b3", doc); r.Status != http.StatusOK {
		t.Fatalf("a push after waiting: %d %s", r.Status, r.Body)
	}
}

// TestInviteOnlyRegistration: with InviteOnly, a registration without a
// code is refused naming the field, and one with a group's code is taken.
func TestInviteOnlyRegistration(t *testing.T) {
	e := newEnv(t, func(c *api.Config) { c.InviteOnly = true })
	trainer := e.as("trainer", "trainer@example.org")
	g := e.createGroup(trainer, "Onsdagsgruppa", "treatment")
	eb := e.do(req{Method: "POST", Path: "/api/v1/auth/register",
		Body: map[string]string{"email": "alone@example.org", "password": testPassword, "name": "A"}}).
		ExpectError(t, http.StatusUnprocessableEntity, api.CodeValidation)
	if len(eb.Error.Details) != 1 || eb.Error.Details[0].Field != "inviteCode" {
		t.Fatalf("refusal %+v, want one naming inviteCode", eb.Error)
	}
	e.register("invited@example.org", testPassword, "I", g.InviteCode)
}
