package api_test

import (
	"net/http"
	"testing"

	"github.com/hit4x4/dagbok/api"
)

// In the Secure-cookie context only the __Host- cookie is read: a plain
// cookie of the same base name can be set by a sibling subdomain or a
// plain-http page (cookie tossing) and must not be used.
func TestRefreshIgnoresAPlainCookieWhereHostPrefixIsUsed(t *testing.T) {
	e := newEnv(t)
	s := e.as("patient", "p@example.org")
	if s.Cookie.Name != "__Host-dagbok_refresh" {
		t.Fatalf("cookie %q on loopback", s.Cookie.Name)
	}
	tossed := &http.Cookie{Name: "dagbok_refresh", Value: s.Cookie.Value}
	e.refresh(tossed).expectError(t, http.StatusUnauthorized, api.CodeInvalidRefresh)
	// The tossed copy was never read, so the real cookie was not rotated.
	if r := e.refresh(s.Cookie); r.Status != http.StatusOK {
		t.Fatalf("refresh with the real cookie: %d %s", r.Status, r.Body)
	}
}
