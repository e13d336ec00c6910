package pwa

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// get serves one request through Handler and returns the response and body.
func get(t *testing.T, h http.Handler, target string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// versionOf reads the injected version from index.html.
func versionOf(t *testing.T, h http.Handler) string {
	t.Helper()
	_, body := get(t, h, "/", nil)
	m := regexp.MustCompile(`/js/app\.js\?v=([0-9a-f]{12})`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("index.html has no versioned app.js URL:\n%s", body)
	}
	return m[1]
}

func TestHandlerRoutes(t *testing.T) {
	h := Handler()
	v := versionOf(t, h)
	tests := []struct {
		name        string
		path        string
		status      int
		contentType string
		cache       string
		contains    string
	}{
		{"root is index", "/", 200, "text/html; charset=utf-8", "no-cache", `<main id="main"`},
		{"index.html", "/index.html", 200, "text/html; charset=utf-8", "no-cache", "manifest.webmanifest"},
		{"app route", "/history", 200, "text/html; charset=utf-8", "no-cache", `<main id="main"`},
		{"nested app route", "/session/abc-123", 200, "text/html; charset=utf-8", "no-cache", `<main id="main"`},
		{"join link", "/join?code=ABCD2345", 200, "text/html; charset=utf-8", "no-cache", `<main id="main"`},
		{"service worker", "/sw.js", 200, "text/javascript; charset=utf-8", "no-cache", "const VERSION = '" + v + "'"},
		{"manifest", "/manifest.webmanifest", 200, "application/manifest+json", "no-cache", "4x4 som medisin"},
		{"unversioned module", "/js/app.js", 200, "text/javascript; charset=utf-8", "no-cache", "import"},
		{"versioned module", "/js/app.js?v=" + v, 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "import"},
		{"stale version is not immutable", "/css/app.css?v=000000000000", 200, "text/css; charset=utf-8", "no-cache", "--brand"},
		{"versioned css", "/css/app.css?v=" + v, 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable", "--brand"},
		{"translation", "/i18n/nb.json", 200, "application/json; charset=utf-8", "no-cache", "Synkronisert"},
		{"icon", "/icons/icon-192.png", 200, "image/png", "no-cache", "PNG"},
		{"missing asset", "/js/nope.js", 404, "", "", ""},
		{"missing image", "/icons/nope.png", 404, "", "", ""},
		{"api is not the app", "/api/v1/nothing", 404, "", "", ""},
		{"go source is not served", "/pwa.go", 404, "", "", ""},
		{"unit tests are not served", "/test/merge.test.mjs", 404, "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, body := get(t, h, tc.path, nil)
			if res.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d", res.StatusCode, tc.status)
			}
			if tc.status != 200 {
				return
			}
			if got := res.Header.Get("Content-Type"); got != tc.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tc.contentType)
			}
			if got := res.Header.Get("Cache-Control"); got != tc.cache {
				t.Errorf("Cache-Control = %q, want %q", got, tc.cache)
			}
			if !strings.Contains(body, tc.contains) {
				t.Errorf("body does not contain %q", tc.contains)
			}
			if strings.Contains(body, versionPlaceholder) {
				t.Errorf("body still holds the version placeholder")
			}
		})
	}
}

func TestServiceWorkerPrecacheList(t *testing.T) {
	h := Handler()
	_, body := get(t, h, "/sw.js", nil)
	if strings.Contains(body, assetsPlaceholder) {
		t.Fatal("asset list not injected")
	}
	for _, want := range []string{`"/"`, `"/js/app.js"`, `"/css/app.css"`, `"/i18n/nb.json"`, `"/manifest.webmanifest"`} {
		if !strings.Contains(body, want) {
			t.Errorf("precache list lacks %s", want)
		}
	}
	if strings.Contains(body, `"/pwa.go"`) || strings.Contains(body, `"/sw.js"`) {
		t.Error("precache list holds files it must not")
	}
}

func TestVersionIsStableAndContentAddressed(t *testing.T) {
	a, b := versionOf(t, Handler()), versionOf(t, Handler())
	if a != b {
		t.Fatalf("version differs between handlers: %s vs %s", a, b)
	}
}

func TestConditionalAndHead(t *testing.T) {
	h := Handler()
	res, _ := get(t, h, "/js/app.js", nil)
	etag := res.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	res, body := get(t, h, "/js/app.js", map[string]string{"If-None-Match": etag})
	if res.StatusCode != http.StatusNotModified || body != "" {
		t.Fatalf("conditional GET = %d with %d bytes, want 304 and empty", res.StatusCode, len(body))
	}

	req := httptest.NewRequest(http.MethodPost, "/", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST / = %d, want 405", rec.Code)
	}
}

// TestShellBudget keeps the app shell (everything the service worker
// precaches) under the 150 KB the issue allows, as transferred (gzip).
func TestShellBudget(t *testing.T) {
	h := Handler()
	_, sw := get(t, h, "/sw.js", nil)
	m := regexp.MustCompile(`const ASSETS = (\[[^\]]*\])`).FindStringSubmatch(sw)
	if m == nil {
		t.Fatal("no asset list in sw.js")
	}
	var list []string
	if err := json.Unmarshal([]byte(m[1]), &list); err != nil {
		t.Fatal(err)
	}
	total, raw := 0, 0
	for _, p := range append(list, "/sw.js") {
		res, body := get(t, h, p, map[string]string{"Accept-Encoding": "gzip, br"})
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", p, res.StatusCode)
		}
		total += len(body)
		_, plain := get(t, h, p, nil)
		raw += len(plain)
	}
	if total > 150*1024 {
		t.Fatalf("shell transfers %d bytes, budget 150 KB", total)
	}
	t.Logf("shell: %d files, %d bytes transferred, %d uncompressed", len(list)+1, total, raw)
}

func TestGzip(t *testing.T) {
	h := Handler()
	res, body := get(t, h, "/js/app.js", map[string]string{"Accept-Encoding": "gzip"})
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatal("app.js not gzipped")
	}
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	_, want := get(t, h, "/js/app.js", nil)
	if string(plain) != want {
		t.Fatal("gzip body differs from plain body")
	}
	if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
		t.Error("no Vary: Accept-Encoding")
	}
	res, _ = get(t, h, "/icons/icon-192.png", map[string]string{"Accept-Encoding": "gzip"})
	if res.Header.Get("Content-Encoding") != "" {
		t.Error("PNG compressed again")
	}
	res, _ = get(t, h, "/js/app.js", map[string]string{"Accept-Encoding": "gzip;q=0"})
	if res.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent although refused")
	}
}

// TestNoInlineScriptsOrStyles guards the CSP (script-src 'self'; style-src 'self').
func TestNoInlineScriptsOrStyles(t *testing.T) {
	_, body := get(t, Handler(), "/", nil)
	if regexp.MustCompile(`<script(?:[^>]*)>\s*[^<\s]`).MatchString(body) {
		t.Error("index.html has an inline script")
	}
	if strings.Contains(body, "style=") || strings.Contains(body, "<style") {
		t.Error("index.html has inline style")
	}
	if strings.Contains(body, " on") && regexp.MustCompile(`\son[a-z]+=`).MatchString(body) {
		t.Error("index.html has an inline event handler")
	}
}

func TestLooksLikeRoute(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"/today", true},
		{"/session/6f1c", true},
		{"/api/v1/me", false},
		{"/api", false},
		{"/favicon.ico", false},
		{"/js/x.js", false},
	}
	for _, tc := range tests {
		if got := looksLikeRoute(tc.path); got != tc.want {
			t.Errorf("looksLikeRoute(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}
