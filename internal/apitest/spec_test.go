package apitest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/internal/apitest"
)

// spec documents one operation: GET /api/v1/thing?n=<integer> answers
// 200 {"name": string}, or 400 with the error shape.
const spec = `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "servers": [{"url": "/"}],
  "paths": {"/api/v1/thing": {"get": {
    "parameters": [{"name": "n", "in": "query", "schema": {"type": "integer"}}],
    "responses": {
      "200": {"description": "ok", "content": {"application/json": {"schema": {
        "type": "object", "additionalProperties": false, "required": ["name"],
        "properties": {"name": {"type": "string"}}}}}},
      "400": {"description": "bad", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    }}}},
  "components": {"schemas": {"Error": {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "object", "required": ["code", "message"],
      "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}}}
}`

const errorJSON = `{"error":{"code":"not_found","message":"no such endpoint"}}`

func TestSpecCheck(t *testing.T) {
	s, err := apitest.LoadSpec([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		path   string
		status int
		body   string
		fail   string // part of the error; empty: the exchange passes
	}{
		{name: "documented", path: "/api/v1/thing?n=1", status: 200, body: `{"name":"x"}`},
		{name: "undocumented field", path: "/api/v1/thing", status: 200, body: `{"name":"x","extra":1}`, fail: "extra"},
		{name: "missing field", path: "/api/v1/thing", status: 200, body: `{}`, fail: "name"},
		{name: "undocumented status", path: "/api/v1/thing", status: 201, body: `{"name":"x"}`, fail: "status"},
		{name: "refused request refused", path: "/api/v1/thing?n=x", status: 400, body: errorJSON},
		{name: "refused request taken", path: "/api/v1/thing?n=x", status: 200, body: `{"name":"x"}`, fail: "refuses"},
		{name: "undocumented route not found", path: "/api/v1/nothing", status: 404, body: errorJSON},
		{name: "undocumented route served", path: "/api/v1/nothing", status: 200, body: `{}`, fail: "not in the OpenAPI document"},
		{name: "not found without the error shape", path: "/api/v1/nothing", status: 404, body: `{}`, fail: "Error schema"},
		{name: "the web app is not checked", path: "/history", status: 200, body: "<!doctype html>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			c := &apitest.Client{Base: srv.URL, Spec: s}
			_, err := c.Send(t.Context(), apitest.Request{Method: "GET", Path: tc.path})
			switch {
			case tc.fail == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.fail != "" && (err == nil || !strings.Contains(err.Error(), tc.fail)):
				t.Fatalf("error %v, want one saying %q", err, tc.fail)
			}
		})
	}
}

func TestPoll(t *testing.T) {
	n := 0
	if err := apitest.Poll(t.Context(), 10*time.Second, func() bool { n++; return n == 3 }); err != nil || n != 3 {
		t.Fatalf("err %v after %d calls", err, n)
	}
	if err := apitest.Poll(t.Context(), 100*time.Millisecond, func() bool { return false }); err == nil {
		t.Fatal("a condition never true passed")
	}
}
