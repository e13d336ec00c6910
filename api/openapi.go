package api

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPIDocument describes every route New registers. The API tests check
// each request they send and each answer they get against it, so it cannot
// drift from the handlers.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns the OpenAPI 3.1 document of the API, as served at
// /api/v1/openapi.json.
func OpenAPI() []byte { return append([]byte(nil), openAPIDocument...) }

// serveOpenAPI answers with the OpenAPI document; no sign-in needed.
func serveOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIDocument)
}
