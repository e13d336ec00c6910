package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Spec is a loaded OpenAPI document that requests and answers are checked
// against.
type Spec struct {
	doc    *openapi3.T
	router routers.Router
}

// LoadSpec parses and validates an OpenAPI document.
func LoadSpec(data []byte) (*Spec, error) {
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("loading the OpenAPI document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not valid: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("routing the OpenAPI document: %w", err)
	}
	return &Spec{doc: doc, router: router}, nil
}

// Operations lists every documented operation as "METHOD /path", with
// path parameters in braces ("GET /api/v1/groups/{id}").
func (s *Spec) Operations() []string {
	var out []string
	for path, item := range s.doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

// documented reports whether path is one the document speaks for: the
// API, health and metrics. Every other path is the web app.
func documented(path string) bool {
	return strings.HasPrefix(path, "/api/") || path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// Check checks one exchange against the document:
//   - a request to an undocumented route must be answered 404 or 405
//     with the JSON error shape;
//   - a request the document refuses must be refused by the server too
//     (a 4xx status): the document may not promise less than the server
//     takes;
//   - every answer must have a documented status, headers and body; the
//     schemas refuse undocumented fields.
func (s *Spec) Check(req *http.Request, reqBody []byte, res *Response) error {
	if !documented(req.URL.Path) {
		return nil
	}
	route, params, err := s.router.FindRoute(withBody(req, reqBody))
	if err != nil {
		return s.checkUnrouted(req, res, err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    withBody(req, reqBody),
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			MultiError:                        true,
			RejectWhenRequestBodyNotSpecified: true,
			AuthenticationFunc:                bearerPresent,
		},
	}
	if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil && (res.Status < 400 || res.Status > 499) {
		return fmt.Errorf("the server answered %d to a request the OpenAPI document refuses: %w", res.Status, err)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 res.Status,
		Header:                 res.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if req.Method == http.MethodHead {
		out.Options.ExcludeResponseBody = true
	}
	out.SetBodyBytes(res.Body)
	if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
		return fmt.Errorf("the answer %d %s breaks the OpenAPI document: %w", res.Status, res.Body, err)
	}
	return nil
}

// checkUnrouted accepts only a JSON error with 404 or 405 for a request
// the document has no operation for: anything else is an undocumented
// route.
func (s *Spec) checkUnrouted(req *http.Request, res *Response, routeErr error) error {
	if !errors.Is(routeErr, routers.ErrPathNotFound) && !errors.Is(routeErr, routers.ErrMethodNotAllowed) {
		return fmt.Errorf("routing against the OpenAPI document: %w", routeErr)
	}
	if res.Status != http.StatusNotFound && res.Status != http.StatusMethodNotAllowed {
		return fmt.Errorf("%s %s is not in the OpenAPI document, yet answered %d", req.Method, req.URL.Path, res.Status)
	}
	if req.Method == http.MethodHead {
		return nil
	}
	schema := s.doc.Components.Schemas["Error"]
	if schema == nil {
		return errors.New("the OpenAPI document has no Error schema")
	}
	var body any
	if err := json.Unmarshal(res.Body, &body); err != nil {
		return fmt.Errorf("a %d answer that is not JSON: %s", res.Status, res.Body)
	}
	if err := schema.Value.VisitJSON(body, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("a %d answer that is not the Error schema: %w", res.Status, err)
	}
	return nil
}

// bearerPresent accepts a request with a bearer token: whether the token
// is good is the server's to say.
func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecurityScheme.Type == "http" && in.SecurityScheme.Scheme == "bearer" {
		if strings.HasPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ") {
			return nil
		}
		return errors.New("no bearer token")
	}
	return fmt.Errorf("security scheme %q not checked", in.SecuritySchemeName)
}

// withBody returns a copy of req that can read body again.
func withBody(req *http.Request, body []byte) *http.Request {
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	// Route by path alone: the document's server is relative.
	r.URL = &url.URL{Path: req.URL.Path, RawQuery: req.URL.RawQuery}
	r.Host = ""
	return r
}
