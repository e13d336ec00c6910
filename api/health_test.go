package api_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/hit4x4/dagbok/api"
)

func TestHealthAndMetrics(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := e.do(req{Method: "GET", Path: p}); r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", p, r.Status, r.Body)
		}
	}
	e.register("m@example.org", "metrics password", "M", "")
	r := e.do(req{Method: "GET", Path: "/metrics"})
	body := string(r.Body)
	for _, want := range []string{
		`http_requests_total{method="POST",route="/api/v1/auth/register",status="201"} 1`,
		`http_request_duration_seconds_bucket{method="GET",route="/readyz",status="200"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}

	// With the store gone, /readyz says so and /healthz does not care.
	e.store.Close()
	e.do(req{Method: "GET", Path: "/readyz"}).ExpectError(t, http.StatusServiceUnavailable, api.CodeUnavailable)
	if r := e.do(req{Method: "GET", Path: "/healthz"}); r.Status != http.StatusOK {
		t.Fatalf("healthz: %d", r.Status)
	}
	// Internal errors are generic: no cause, no stack.
	r = e.do(req{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "m@example.org", "password": "metrics password"}})
	eb := r.ExpectError(t, http.StatusInternalServerError, api.CodeInternal)
	if eb.Error.Message != "internal error" || strings.Contains(string(r.Body), "sql") || strings.Contains(string(r.Body), ".go") {
		t.Fatalf("internal error leaks: %s", r.Body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	check := func(t *testing.T, e *env, path string, hsts bool) {
		t.Helper()
		r := e.do(req{Method: "GET", Path: path})
		h := r.Header
		want := map[string]string{
			"X-Content-Type-Options":     "nosniff",
			"Referrer-Policy":            "no-referrer",
			"Cross-Origin-Opener-Policy": "same-origin",
		}
		for k, v := range want {
			if h.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", path, k, h.Get(k), v)
			}
		}
		csp := h.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("%s: CSP %q lacks %s", path, csp, d)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline code: %q", path, csp)
		}
		pp := h.Get("Permissions-Policy")
		if !strings.Contains(pp, "screen-wake-lock=(self)") || strings.Contains(pp, "bluetooth") || !strings.Contains(pp, "camera=()") || !strings.Contains(pp, "geolocation=()") {
			t.Errorf("%s: Permissions-Policy %q", path, pp)
		}
		if got := h.Get("Strict-Transport-Security") != ""; got != hsts {
			t.Errorf("%s: HSTS present = %v, want %v", path, got, hsts)
		}
		if strings.HasPrefix(path, "/api/") && h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", path, h.Get("Cache-Control"))
		}
	}
	t.Run("plain http", func(t *testing.T) {
		e := newEnv(t)
		for _, p := range []string{"/", "/healthz", "/api/v1/me", "/api/v1/nope"} {
			check(t, e, p, false)
		}
	})
	t.Run("https public URL", func(t *testing.T) {
		e := newEnv(t, func(c *api.Config) { c.PublicURL = &url.URL{Scheme: "https", Host: "dagbok.example"} })
		check(t, e, "/", true)
		check(t, e, "/api/v1/me", true)
	})
	t.Run("web app served outside the API", func(t *testing.T) {
		e := newEnv(t)
		r := e.do(req{Method: "GET", Path: "/history"})
		if r.Status != 200 || !strings.Contains(string(r.Body), "<title>app</title>") {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})
}

func TestTrustedProxyXFF(t *testing.T) {
	e := newEnv(t, func(c *api.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		c.LoginPerIP = api.Limit{Burst: 1, Every: 1e12}
	})
	// Behind a trusted proxy each forwarded client has its own bucket.
	for _, ip := range []string{"203.0.113.1", "203.0.113.2"} {
		r := e.do(req{Method: "POST", Path: "/api/v1/auth/login", Header: map[string]string{"X-Forwarded-For": ip},
			Body: map[string]string{"email": "x@example.org", "password": "whatever1"}})
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("%s: %d %s", ip, r.Status, r.Body)
		}
	}
	r := e.do(req{Method: "POST", Path: "/api/v1/auth/login", Header: map[string]string{"X-Forwarded-For": "203.0.113.1"},
		Body: map[string]string{"email": "y@example.org", "password": "whatever1"}})
	r.ExpectError(t, http.StatusTooManyRequests, api.CodeRateLimited)
}
