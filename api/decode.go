package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/labstack/echo/v4"
)

// readBody reads the whole request body, already capped by the body limit
// middleware, and requires a JSON content type.
func readBody(c echo.Context) ([]byte, error) {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != echo.MIMEApplicationJSON {
		return nil, errorf(CodeUnsupportedMedia, "send the body as application/json")
	}
	// One buffer of the announced size (bodyLimit has refused a larger
	// one), not one regrown as the body arrives; a body of unknown length
	// grows as it is read.
	var buf bytes.Buffer
	if n := c.Request().ContentLength; n > 0 {
		buf.Grow(int(n) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(c.Request().Body); err != nil {
		return nil, err // 413 from the limit, or the client went away
	}
	return buf.Bytes(), nil
}

// decodeJSON reads the body into v strictly: one JSON value, no unknown
// fields, no trailing data. Typed structs only: a value of the wrong JSON
// type (for example an object where a string belongs) is a validation error
// naming the field, so a query operator can never reach the store.
func decodeJSON(c echo.Context, v any) error {
	data, err := readBody(c)
	if err != nil {
		return err
	}
	return unmarshalStrict(data, v)
}

func unmarshalStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errorf(CodeInvalidJSON, "unexpected data after the JSON value")
	}
	return nil
}

// jsonError explains a decoding error without echoing the input.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return errorf(CodeInvalidJSON, "empty body; expected a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(CodeInvalidJSON, "truncated JSON")
	case errors.As(err, &syn):
		return &Error{Code: CodeInvalidJSON, Message: "malformed JSON", Cause: err}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return errorf(CodeInvalidJSON, "expected a JSON object")
		}
		t := typ.Type
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		kind := "value of another type"
		if t != nil {
			kind = jsonKind(t.Kind().String())
		}
		return invalid(field, "expected a JSON "+kind)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return &Error{Code: CodeUnknownField, Message: "unknown field " + name,
			Details: []Detail{{Field: name, Reason: "unknown field"}}}
	}
	return &Error{Code: CodeInvalidJSON, Message: "malformed JSON", Cause: err}
}

func jsonKind(goKind string) string {
	switch {
	case goKind == "string":
		return "string"
	case goKind == "bool":
		return "boolean"
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"), strings.HasPrefix(goKind, "float"):
		return "number"
	case goKind == "slice", goKind == "array":
		return "array"
	}
	return "object"
}
