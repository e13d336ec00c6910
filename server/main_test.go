package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
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
				c.LogFormat != "auto" || c.MongoURI != "" || c.JWTSecretFile != "" || c.PushTestEndpoints {
				t.Fatalf("%+v", c)
			}
		}},
		{name: "env", env: map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": "/srv/d", "TOMBSTONE_TTL": "720h",
			"PUSH_TEST_ENDPOINTS": "true", "MONGODB_URI": "mongodb://db/x", "TRUSTED_PROXIES": "10.0.0.0/8"},
			check: func(t *testing.T, c Config) {
				if c.Addr != "127.0.0.1:0" || c.DataDir != "/srv/d" || c.TombstoneTTL != 30*24*time.Hour ||
					!c.PushTestEndpoints || c.MongoURI != "mongodb://db/x" || c.TrustedProxies != "10.0.0.0/8" {
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
	cfg, err := parseConfig(nil, env(map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": dir}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	m := NewMain(cfg, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.URL(), "http://127.0.0.1:") || strings.HasSuffix(m.URL(), ":0/") {
		t.Fatalf("url %q", m.URL())
	}
	if !strings.Contains(logs.String(), `"url":"`+m.URL()+`"`) {
		t.Fatalf("no log line with the url:\n%s", logs.String())
	}
	for _, p := range []string{"healthz", "readyz", ""} {
		res, err := http.Get(m.URL() + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("/%s: %d", p, res.StatusCode)
		}
	}
	fi, err := os.Stat(filepath.Join(dir, "jwt.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("signing key: %v %v", fi, err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(m.URL() + "healthz"); err == nil {
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
