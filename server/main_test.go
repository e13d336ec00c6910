package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/internal/apitest"
	"github.com/hit4x4/dagbok/push"
	"github.com/hit4x4/dagbok/sync"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// newClient is the shared test client on m, checking every exchange
// against the API's OpenAPI document.
func newClient(t *testing.T, m *Main) *apitest.Client {
	t.Helper()
	spec, err := apitest.LoadSpec(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	return &apitest.Client{Base: strings.TrimSuffix(m.URL(), "/"), Spec: spec}
}

func TestParseConfig(t *testing.T) {
	cases := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, c Config)
		fail  string
	}{
		{name: "defaults", check: func(t *testing.T, c Config) {
			if c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || c.TombstoneTTL != 90*24*time.Hour ||
				c.LogFormat != "auto" || c.MongoURI != "" || c.JWTSecretFile != "" || c.PushTestEndpoints ||
				c.PublicURL != nil || c.TrustedProxies != nil {
				t.Fatalf("%+v", c)
			}
		}},
		{name: "env", env: map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": "/srv/d", "TOMBSTONE_TTL": "720h",
			"PUSH_TEST_ENDPOINTS": "true", "MONGODB_URI": "mongodb://db/x", "TRUSTED_PROXIES": "10.0.0.0/8",
			"PUBLIC_URL": "https://dagbok.example"},
			check: func(t *testing.T, c Config) {
				if c.Addr != "127.0.0.1:0" || c.DataDir != "/srv/d" || c.TombstoneTTL != 30*24*time.Hour ||
					!c.PushTestEndpoints || c.MongoURI != "mongodb://db/x" || c.PublicURL.String() != "https://dagbok.example" || !slices.Equal(c.TrustedProxies, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}) {
					t.Fatalf("%+v", c)
				}
			}},
		{name: "flag wins over env", args: []string{"-addr", ":9999", "-tombstone-ttl", "7d"},
			env: map[string]string{"ADDR": "127.0.0.1:1234", "TOMBSTONE_TTL": "30d"},
			check: func(t *testing.T, c Config) {
				if c.Addr != ":9999" || c.TombstoneTTL != 7*24*time.Hour {
					t.Fatalf("%+v", c)
				}
			}},
		{name: "bad addr", env: map[string]string{"ADDR": "nonsense"}, fail: "ADDR"},
		{name: "bad ttl", args: []string{"-tombstone-ttl", "soon"}, fail: "TOMBSTONE_TTL"},
		{name: "short secret", env: map[string]string{"JWT_SECRET": "short"}, fail: "JWT_SECRET"},
		{name: "admin email without password", env: map[string]string{"ADMIN_EMAIL": "a@b.org"}, fail: "ADMIN_PASSWORD"},
		{name: "bad public url", env: map[string]string{"PUBLIC_URL": "dagbok.example"}, fail: "PUBLIC_URL"},
		{name: "bad proxies", env: map[string]string{"TRUSTED_PROXIES": "everyone"}, fail: "TRUSTED_PROXIES"},
		{name: "bad log format", env: map[string]string{"LOG_FORMAT": "xml"}, fail: "LOG_FORMAT"},
		{name: "stray argument", args: []string{"serve"}, fail: "unexpected argument"},
		{name: "push defaults", check: func(t *testing.T, c Config) {
			if c.VAPIDKeyFile != "" || c.VAPIDPublicKey != "" || len(c.PushHosts) != 5 || c.PushHosts[0] != "fcm.googleapis.com" ||
				c.PushRelays != nil || c.PushCAFile != "" {
				t.Fatalf("%+v", c)
			}
		}},
		{name: "push hosts", env: map[string]string{"PUSH_HOSTS": " Push.Example.org, ,fcm.googleapis.com", "VAPID_SUBJECT": "mailto:drift@example.org"},
			check: func(t *testing.T, c Config) {
				if !slices.Equal(c.PushHosts, []string{"push.example.org", "fcm.googleapis.com"}) || c.VAPIDSubject != "mailto:drift@example.org" {
					t.Fatalf("%+v", c)
				}
			}},
		{name: "one VAPID key", env: map[string]string{"VAPID_PUBLIC_KEY": "BExx"}, fail: "VAPID_PRIVATE_KEY"},
		{name: "bad VAPID subject", env: map[string]string{"VAPID_SUBJECT": "drift@example.org"}, fail: "VAPID_SUBJECT"},
		{name: "no push hosts", env: map[string]string{"PUSH_HOSTS": " , "}, fail: "PUSH_HOSTS"},
		{name: "push relay", env: map[string]string{"PUSH_RELAY_ADDRS": "10.20.0.0/16, 10.30.0.7", "PUSH_CA_FILE": "/etc/dagbok/relay-ca.pem"},
			check: func(t *testing.T, c Config) {
				if !slices.Equal(c.PushRelays, []netip.Prefix{netip.MustParsePrefix("10.20.0.0/16"), netip.MustParsePrefix("10.30.0.7/32")}) ||
					c.PushCAFile != "/etc/dagbok/relay-ca.pem" {
					t.Fatalf("%+v", c)
				}
			}},
		{name: "bad push relay", env: map[string]string{"PUSH_RELAY_ADDRS": "relay.internal"}, fail: "PUSH_RELAY_ADDRS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseConfig(tc.args, env(tc.env), io.Discard)
			if tc.fail != "" {
				if err == nil || !strings.Contains(err.Error(), tc.fail) {
					t.Fatalf("error %v, want one naming %s", err, tc.fail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		fail bool
	}{
		{in: ""},
		{in: "10.0.0.0/8, 192.168.1.5", want: []string{"10.0.0.0/8", "192.168.1.5/32"}},
		{in: "10.1.2.3/8", want: []string{"10.0.0.0/8"}},
		{in: "::1", want: []string{"::1/128"}},
		{in: "::ffff:192.0.2.1", want: []string{"192.0.2.1/32"}},
		{in: "not-an-ip", fail: true},
		{in: "10.0.0.0/99", fail: true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parsePrefixes(tc.in)
			if (err != nil) != tc.fail {
				t.Fatalf("error %v", err)
			}
			var s []string
			for _, p := range got {
				s = append(s, p.String())
			}
			if !slices.Equal(s, tc.want) {
				t.Errorf("%q → %v, want %v", tc.in, s, tc.want)
			}
		})
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	var out bytes.Buffer
	_, err := parseConfig([]string{"-help"}, env(nil), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err %v", err)
	}
	for _, s := range settings() {
		if !strings.Contains(out.String(), s.env) || !strings.Contains(out.String(), "-"+s.flag) {
			t.Errorf("help lacks %s / -%s", s.env, s.flag)
		}
	}
	if !strings.Contains(out.String(), "127.0.0.1:8080") {
		t.Error("help lacks the default address")
	}
}

func TestMainRunServesAndCloses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	m, logs := runMain(t, map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": dir})
	if !strings.HasPrefix(m.URL(), "http://127.0.0.1:") || strings.HasSuffix(m.URL(), ":0/") {
		t.Fatalf("url %q", m.URL())
	}
	if !strings.Contains(logs.String(), `"url":"`+m.URL()+`"`) {
		t.Fatalf("no log line with the url:\n%s", logs.String())
	}
	c := newClient(t, m)
	for _, p := range []string{"/healthz", "/readyz", "/"} {
		c.Must(t, apitest.Request{Method: http.MethodGet, Path: p}, http.StatusOK, nil)
	}
	fi, err := os.Stat(filepath.Join(dir, "jwt.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("signing key: %v %v", fi, err)
	}
	// The VAPID pair is generated into the data folder and served.
	keys, created, err := push.LoadOrCreateKeys(filepath.Join(dir, "vapid.json"), nil)
	if err != nil || created {
		t.Fatalf("VAPID keys: %v, created now %v", err, created)
	}
	if fi, err := os.Stat(filepath.Join(dir, "vapid.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("VAPID key file: %v %v", fi, err)
	}
	var vapid struct{ PublicKey string }
	c.Must(t, apitest.Request{Method: http.MethodGet, Path: "/api/v1/push/vapid-public-key"}, http.StatusOK, &vapid)
	if vapid.PublicKey != keys.Public {
		t.Errorf("served VAPID key %q, kept %q", vapid.PublicKey, keys.Public)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(t.Context(), apitest.Request{Method: http.MethodGet, Path: "/healthz"}); err == nil {
		t.Fatal("still serving after Close")
	}
}

func TestUnwritableDataDir(t *testing.T) {
	// A file where the folder should be: fails even for root.
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := parseConfig(nil, env(map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": filepath.Join(file, "data")}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMain(cfg, slog.New(slog.DiscardHandler))
	err = m.Run(t.Context())
	m.Close()
	if err == nil || !strings.Contains(err.Error(), "data folder") {
		t.Fatalf("err %v", err)
	}
}

// TestCloseDrainsInFlightRequests: a request whose body is still arriving
// when Close is called is answered before Close returns.
func TestCloseDrainsInFlightRequests(t *testing.T) {
	cfg, err := parseConfig(nil, env(map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": t.TempDir()}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMain(cfg, slog.New(slog.DiscardHandler))
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The client asks to continue and sends the body only once the
	// server's handler starts reading it: the 100 Continue it gets back
	// says the request is in the handler.
	body := `{"email":"slow@example.org","password":"slow password","name":"Slow"}`
	inHandler := make(chan struct{})
	trace := &httptrace.ClientTrace{Got100Continue: func() { close(inHandler) }}
	pr, pw := io.Pipe()
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(t.Context(), trace),
		"POST", m.URL()+"api/v1/auth/register", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Expect", "100-continue")
	req.ContentLength = int64(len(body))
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Minute}}
	status := make(chan int, 1)
	go func() {
		res, err := client.Do(req)
		if err != nil {
			status <- 0
			return
		}
		res.Body.Close()
		status <- res.StatusCode
	}()
	select {
	case <-inHandler:
	case <-time.After(10 * time.Second):
		t.Fatal("the server never asked for the body")
	}

	closed := make(chan error, 1)
	go func() { closed <- m.Close() }()
	// Close has begun once the server takes no new connections.
	err = apitest.Poll(t.Context(), 10*time.Second, func() bool {
		conn, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(m.URL(), "http://"), "/"))
		if err == nil {
			conn.Close()
		}
		return err != nil
	})
	if err != nil {
		t.Fatalf("the server still takes connections after Close: %v", err)
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a request was in flight", err)
	default:
	}
	io.WriteString(pw, body)
	pw.Close()
	if got := <-status; got != http.StatusCreated {
		t.Fatalf("in-flight request got %d, want 201", got)
	}
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// TestCompactorCollectsOldTombstones: the compactor collects tombstones
// older than TOMBSTONE_TTL, and a cursor from before them then expires.
func TestCompactorCollectsOldTombstones(t *testing.T) {
	cfg, err := parseConfig(nil, env(map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": t.TempDir(), "TOMBSTONE_TTL": "90d"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMain(cfg, slog.New(slog.DiscardHandler))
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c := newClient(t, m)
	c.Must(t, apitest.Request{Method: "POST", Path: "/api/v1/auth/register",
		Body: `{"email":"c@example.org","password":"compact me","name":"C"}`}, http.StatusCreated, nil)
	var login struct{ AccessToken string }
	c.Must(t, apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
		Body: `{"email":"c@example.org","password":"compact me"}`}, http.StatusOK, &login)
	c.Token = login.AccessToken
	pull := func(cursor string) *apitest.Response {
		t.Helper()
		return c.Do(t, apitest.Request{Method: "GET", Path: "/api/v1/sync/pull?cursor=" + cursor})
	}

	ts := sync.Timestamp{Wall: time.Now().UnixMilli(), Node: "phone"}.String()
	push := func(batch, id, fields string) {
		t.Helper()
		c.Must(t, apitest.Request{Method: "POST", Path: "/api/v1/sync/push",
			Body: `{"batchId":"` + batch + `","docs":[{"id":"` + id + `","type":"session","fields":{` + fields + `}}]}`},
			http.StatusOK, nil)
	}
	push("b1", "keep", `"sessionRpe":{"value":5,"ts":"`+ts+`"}`)
	var page struct{ Cursor string }
	pull("").Decode(t, &page)
	push("b2", "gone", `"deleted":{"value":true,"ts":"`+ts+`"}`)

	m.compact(t.Context()) // nothing is old enough yet
	if r := pull(page.Cursor); r.Status != http.StatusOK {
		t.Fatalf("pull before the TTL: %d %s", r.Status, r.Body)
	}
	m.now = func() time.Time { return time.Now().Add(91 * 24 * time.Hour) }
	m.compact(t.Context())
	if r := pull(page.Cursor); r.Status != http.StatusGone {
		t.Fatalf("pull after compaction: %d %s, want 410", r.Status, r.Body)
	}
}

// TestSetupLinkOnlyWithoutAdmin: with no admin and none configured the
// server prints a setup link; with ADMIN_EMAIL it does not.
func TestSetupLinkOnlyWithoutAdmin(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"no admin", map[string]string{}, true},
		{"admin configured", map[string]string{"ADMIN_EMAIL": "admin@example.org", "ADMIN_PASSWORD": "correct horse battery"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": t.TempDir()}
			for k, v := range tc.env {
				e[k] = v
			}
			m, logs := runMain(t, e)
			defer m.Close()
			link := m.SetupURL()
			if got := link != ""; got != tc.want {
				t.Fatalf("setup link %q, want one: %v", link, tc.want)
			}
			if link != "" && (!strings.HasPrefix(link, m.URL()+"setup#") || !strings.Contains(logs.String(), link)) {
				t.Errorf("setup link %q under %s, logs:\n%s", link, m.URL(), logs.String())
			}
		})
	}
}

// runMain starts a server with the settings of environment e, logging JSON
// into the buffer it returns.
func runMain(t *testing.T, e map[string]string) (*Main, *bytes.Buffer) {
	t.Helper()
	cfg, err := parseConfig(nil, env(e), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logs := new(bytes.Buffer)
	m := NewMain(cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	return m, logs
}
