// Package apitest is the one HTTP client of the Go tests: it sends JSON
// requests to a running server, reads whole answers, and, given the API's
// OpenAPI document, checks every request it sends and every answer it gets
// against that document, so the document cannot drift from the server.
//
// It is for tests only: the api, server and end-to-end tests import it.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Client talks to one server.
type Client struct {
	Base  string       // base URL without a trailing slash, e.g. http://127.0.0.1:8080
	HTTP  *http.Client // nil: http.DefaultClient
	Token string       // sent as a bearer token when a Request names none
	Spec  *Spec        // nil: nothing is checked
}

// Request is one request. Body is sent as is when it is a string or a
// []byte, else encoded as JSON; a body is sent as application/json unless
// Header says otherwise.
type Request struct {
	Method  string
	Path    string
	Body    any
	Token   string // bearer token; empty: the Client's
	Cookies []*http.Cookie
	Header  map[string]string
}

// Response is a finished answer with its body read.
type Response struct {
	Status  int
	Header  http.Header
	Body    []byte
	Cookies []*http.Cookie // the Set-Cookie headers, parsed
}

// Send sends r and reads the whole answer. Transport errors and answers
// that break the Spec are returned, so a test can send from any goroutine
// and can see what happens while a server is down.
func (c *Client) Send(ctx context.Context, r Request) (*Response, error) {
	body, err := encodeBody(r.Body)
	if err != nil {
		return nil, err
	}
	var rd io.Reader
	if r.Body != nil {
		rd = bytes.NewReader(body)
	}
	hr, err := http.NewRequestWithContext(ctx, r.Method, c.Base+r.Path, rd)
	if err != nil {
		return nil, err
	}
	if r.Body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	token := r.Token
	if token == "" {
		token = c.Token
	}
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	for _, ck := range r.Cookies {
		hr.AddCookie(ck)
	}
	for k, v := range r.Header {
		hr.Header.Set(k, v)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(hr)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", r.Method, r.Path, err)
	}
	out := &Response{Status: res.StatusCode, Header: res.Header, Body: data, Cookies: res.Cookies()}
	if c.Spec != nil {
		if err := c.Spec.Check(hr, body, out); err != nil {
			return out, fmt.Errorf("%s %s: %w", r.Method, r.Path, err)
		}
	}
	return out, nil
}

func encodeBody(b any) ([]byte, error) {
	switch b := b.(type) {
	case nil:
		return nil, nil
	case string:
		return []byte(b), nil
	case []byte:
		return b, nil
	}
	data, err := json.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("encoding the request body: %w", err)
	}
	return data, nil
}

// Do is Send for the test's own goroutine: any error fails the test.
func (c *Client) Do(t testing.TB, r Request) *Response {
	t.Helper()
	res, err := c.Send(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Must is Do for steps that have to succeed with status want; when out is
// not nil the answer is decoded into it.
func (c *Client) Must(t testing.TB, r Request, want int, out any) *Response {
	t.Helper()
	res := c.Do(t, r)
	if res.Status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", r.Method, r.Path, res.Status, want, res.Body)
	}
	if out != nil {
		res.Decode(t, out)
	}
	return res
}

// Decode decodes the JSON answer into v.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
}

// Cookie returns the cookie the answer set under one of names, or nil.
func (r *Response) Cookie(names ...string) *http.Cookie {
	for _, c := range r.Cookies {
		for _, n := range names {
			if c.Name == n {
				return c
			}
		}
	}
	return nil
}

// ErrorBody is the API's JSON error shape.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Doc    string `json:"doc"`
			Field  string `json:"field"`
			Reason string `json:"reason"`
		} `json:"details"`
		ServerTime int64 `json:"serverTime"`
	} `json:"error"`
}

// Err decodes the answer as the JSON error shape and fails the test when it
// is not one.
func (r *Response) Err(t testing.TB) ErrorBody {
	t.Helper()
	var e ErrorBody
	r.Decode(t, &e)
	if e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("not the JSON error shape: %s", r.Body)
	}
	return e
}

// ExpectError checks the status, the content type and the code of a JSON
// error answer.
func (r *Response) ExpectError(t testing.TB, status int, code string) ErrorBody {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); status != http.StatusMethodNotAllowed && !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type %q for an error", ct)
	}
	e := r.Err(t)
	if e.Error.Code != code {
		t.Fatalf("code %q, want %q; body %s", e.Error.Code, code, r.Body)
	}
	return e
}
