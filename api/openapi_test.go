package api_test

import (
	"bytes"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/api"
)

// TestOpenAPIServed: the document is served without sign-in, byte for
// byte the one the tests check against.
func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t)
	r := e.do(req{Method: "GET", Path: "/api/v1/openapi.json"})
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, content type %q", r.Status, r.Header.Get("Content-Type"))
	}
	if !bytes.Equal(r.Body, api.OpenAPI()) {
		t.Fatal("the served document differs from api.OpenAPI()")
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("Cache-Control %q", r.Header.Get("Cache-Control"))
	}
}

// TestOpenAPIHasEveryRoute: every route Echo serves is documented, and
// every documented operation is served. The catch-alls (the API's JSON 404
// and the web app) have no place in the document: the client checks that
// a path the document lacks answers 404 (Echo's own not-found entries too).
func TestOpenAPIHasEveryRoute(t *testing.T) {
	e := newEnv(t)
	param := regexp.MustCompile(`:(\w+)`)
	var served []string
	for _, r := range e.echo.Routes() {
		if strings.HasSuffix(r.Path, "*") || r.Method == echo.RouteNotFound {
			continue
		}
		served = append(served, r.Method+" "+param.ReplaceAllString(r.Path, "{$1}"))
	}
	slices.Sort(served)
	served = slices.Compact(served)
	documented := loadSpec(t).Operations()
	for _, op := range served {
		if !slices.Contains(documented, op) {
			t.Errorf("route %s is not in api/openapi.json", op)
		}
	}
	for _, op := range documented {
		if !slices.Contains(served, op) {
			t.Errorf("api/openapi.json documents %s, which is not served", op)
		}
	}
}
