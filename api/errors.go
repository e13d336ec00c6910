package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/push"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
)

// Error codes: the "code" of every JSON error the API writes. Clients switch
// on these, never on the message.
const (
	CodeInvalidJSON        = "invalid_json"        // body is not well-formed JSON
	CodeUnknownField       = "unknown_field"       // body names a field the endpoint does not know
	CodeInvalidRequest     = "invalid_request"     // other malformed request (content type, query)
	CodeValidation         = "validation_failed"   // well-formed but invalid; details name the fields
	CodeUnauthorized       = "unauthorized"        // no valid access token
	CodeInvalidCredentials = "invalid_credentials" // wrong email or password
	CodeInvalidRefresh     = "invalid_refresh"     // refresh token missing, unknown, expired or reused
	CodeWrongPassword      = "wrong_password"      // signed in, but the password given to confirm is wrong
	CodeForbidden          = "forbidden"           // authenticated but not allowed
	CodeNotFound           = "not_found"
	CodeMethodNotAllowed   = "method_not_allowed"
	CodeEmailTaken         = "email_taken"
	CodeConflict           = "conflict"
	CodeClockSkew          = "clock_skew"     // a stamp is too far ahead; carries serverTime
	CodeCursorExpired      = "cursor_expired" // pull again from the start
	CodePayloadTooLarge    = "payload_too_large"
	CodeUnsupportedMedia   = "unsupported_media_type"
	CodeRateLimited        = "rate_limited"
	CodeUnavailable        = "unavailable"
	CodeQuotaExceeded      = "quota_exceeded" // the user keeps as much as the server allows one user
	CodeStorageFull        = "storage_full"   // the server's disk is full
	CodeInternal           = "internal"
)

// statusOf is the one table mapping error codes to HTTP statuses. An
// unknown code is a 500.
func statusOf(code string) int {
	switch code {
	case CodeInvalidJSON, CodeUnknownField, CodeInvalidRequest:
		return http.StatusBadRequest
	case CodeValidation:
		return http.StatusUnprocessableEntity
	case CodeUnauthorized, CodeInvalidCredentials, CodeInvalidRefresh:
		return http.StatusUnauthorized
	case CodeForbidden, CodeWrongPassword:
		return http.StatusForbidden
	case CodeNotFound:
		return http.StatusNotFound
	case CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case CodeEmailTaken, CodeConflict, CodeClockSkew:
		return http.StatusConflict
	case CodeCursorExpired:
		return http.StatusGone
	case CodePayloadTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeUnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	case CodeQuotaExceeded, CodeStorageFull:
		return http.StatusInsufficientStorage
	}
	return http.StatusInternalServerError
}

// codeOfStatus maps statuses that Echo itself produces (routing, body
// limit, timeouts) back to a code; false for any other status.
func codeOfStatus(status int) (string, bool) {
	switch status {
	case http.StatusBadRequest:
		return CodeInvalidRequest, true
	case http.StatusUnauthorized:
		return CodeUnauthorized, true
	case http.StatusForbidden:
		return CodeForbidden, true
	case http.StatusNotFound:
		return CodeNotFound, true
	case http.StatusMethodNotAllowed:
		return CodeMethodNotAllowed, true
	case http.StatusRequestEntityTooLarge:
		return CodePayloadTooLarge, true
	case http.StatusUnsupportedMediaType:
		return CodeUnsupportedMedia, true
	case http.StatusTooManyRequests:
		return CodeRateLimited, true
	case http.StatusServiceUnavailable:
		return CodeUnavailable, true
	}
	return "", false
}

// Detail names one rejected field (and, for sync pushes, the document).
type Detail struct {
	Doc    string `json:"doc,omitempty"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is the API's one error type: a code from the table above, a message
// safe to show the user, and optional details. Cause is logged, never sent.
type Error struct {
	Code       string
	Message    string
	Details    []Detail
	ServerTime int64 // ms since epoch; set for clock_skew
	RetryAfter int   // seconds; set for rate_limited
	Cause      error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Code + ": " + e.Message + ": " + e.Cause.Error()
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// errorf returns an *Error with a formatted message.
func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// invalid returns a validation error naming one field.
func invalid(field, reason string) *Error {
	return &Error{
		Code:    CodeValidation,
		Message: field + ": " + reason,
		Details: []Detail{{Field: field, Reason: reason}},
	}
}

// accountCode is the API code of a refusal by the account rules.
func accountCode(c account.Code) string {
	switch c {
	case account.Invalid:
		return CodeValidation
	case account.EmailTaken:
		return CodeEmailTaken
	case account.BadCredentials:
		return CodeInvalidCredentials
	case account.WrongPassword:
		return CodeWrongPassword
	case account.RefreshRefused:
		return CodeInvalidRefresh
	case account.Forbidden:
		return CodeForbidden
	case account.NotFound:
		return CodeNotFound
	case account.Conflict:
		return CodeConflict
	}
	return CodeInternal
}

// fromAccount is the *Error of a refusal by the account rules.
func fromAccount(ae *account.Error) *Error {
	out := &Error{Code: accountCode(ae.Code), Message: ae.Message}
	if out.Code == CodeInternal {
		out.Cause = ae
	}
	for _, f := range ae.Fields {
		out.Details = append(out.Details, Detail{Field: f.Field, Reason: f.Reason})
	}
	return out
}

// toError turns any error a handler returns into an *Error. Account
// refusals, store and sync sentinels are mapped here, so handlers can return them unwrapped.
func toError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if ae, ok := errors.AsType[*account.Error](err); ok {
		return fromAccount(ae)
	}
	var skew *sync.SkewError
	var verrs sync.ValidationErrors
	var verr *sync.ValidationError
	var derr *sync.DecodeError
	var he *echo.HTTPError
	var mbe *http.MaxBytesError
	var perr *push.InvalidError
	switch {
	case errors.As(err, &perr):
		return &Error{Code: CodeValidation, Message: perr.Error(), Details: []Detail{{Field: perr.Field, Reason: perr.Reason}}}
	case errors.As(err, &skew):
		return &Error{Code: CodeClockSkew, Message: "device clock is ahead of the server; correct it and stamp again",
			ServerTime: skew.ServerTime.UnixMilli(), Cause: err}
	case errors.As(err, &verrs):
		out := &Error{Code: CodeValidation, Message: fmt.Sprintf("%d invalid field(s) in the batch", len(verrs))}
		for _, v := range verrs {
			out.Details = append(out.Details, Detail{Doc: v.Doc, Field: v.Field, Reason: v.Reason})
		}
		return out
	case errors.As(err, &verr):
		return &Error{Code: CodeValidation, Message: verr.Error(),
			Details: []Detail{{Doc: verr.Doc, Field: verr.Field, Reason: verr.Reason}}}
	case errors.As(err, &derr):
		return &Error{Code: CodeInvalidJSON, Message: derr.Error()}
	case errors.Is(err, sync.ErrTooLarge):
		return &Error{Code: CodePayloadTooLarge, Message: fmt.Sprintf("at most %d bytes per push", sync.MaxPushBytes)}
	case errors.Is(err, sync.ErrTooManyDocs):
		return &Error{Code: CodePayloadTooLarge, Message: fmt.Sprintf("at most %d documents per push", sync.MaxPushDocs)}
	case errors.As(err, &mbe), errors.Is(err, echo.ErrStatusRequestEntityTooLarge):
		return &Error{Code: CodePayloadTooLarge, Message: "request body too large"}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: CodeUnavailable, Message: "the server is busy; try again", Cause: err}
	case errors.Is(err, store.ErrStorageFull):
		return &Error{Code: CodeStorageFull, Message: "the server's storage is full; nothing was saved, try again later", Cause: err}
	case errors.Is(err, store.ErrNotFound):
		return &Error{Code: CodeNotFound, Message: "not found"}
	case errors.Is(err, store.ErrCursorExpired):
		return &Error{Code: CodeCursorExpired, Message: "cursor expired; pull again from the start"}
	case errors.Is(err, store.ErrConflict):
		return &Error{Code: CodeConflict, Message: "conflict; try again"}
	case errors.As(err, &he):
		code, ok := codeOfStatus(he.Code)
		if !ok {
			return &Error{Code: CodeInternal, Message: "internal error", Cause: err}
		}
		msg := http.StatusText(he.Code)
		if code == CodeUnavailable {
			msg = "the server is busy; try again"
		}
		return &Error{Code: code, Message: msg, Cause: he.Internal}
	}
	return &Error{Code: CodeInternal, Message: "internal error", Cause: err}
}

type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code       string   `json:"code"`
	Message    string   `json:"message"`
	Details    []Detail `json:"details,omitempty"`
	ServerTime int64    `json:"serverTime,omitempty"`
}

// errorHandler is Echo's HTTPErrorHandler: the one place errors become
// responses. Internal errors are logged with the request id and answered
// with a generic message.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		e := toError(err)
		status := statusOf(e.Code)
		if status >= 500 {
			level := slog.LevelError
			if status == http.StatusServiceUnavailable || status == http.StatusInsufficientStorage {
				level = slog.LevelWarn // the store, a deadline, a full disk or quota; not a bug here
			}
			log.Log(c.Request().Context(), level, "request failed",
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID),
				"method", c.Request().Method, "path", c.Request().URL.Path,
				"status", status, "err", err)
			if status == http.StatusInternalServerError {
				e = &Error{Code: CodeInternal, Message: "internal error"}
			}
		}
		if e.RetryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
		}
		body := errorBody{Error: errorJSON{Code: e.Code, Message: e.Message, Details: e.Details, ServerTime: e.ServerTime}}
		var werr error
		if c.Request().Method == http.MethodHead {
			werr = c.NoContent(status)
		} else {
			werr = c.JSON(status, body)
		}
		if werr != nil {
			log.WarnContext(c.Request().Context(), "writing error response", "err", werr)
		}
	}
}

// validator collects field errors for one 422 answer.
type validator struct{ details []Detail }

func (v *validator) add(field, reason string) {
	v.details = append(v.details, Detail{Field: field, Reason: reason})
}

func (v *validator) err() error {
	if len(v.details) == 0 {
		return nil
	}
	msg := make([]string, len(v.details))
	for i, d := range v.details {
		msg[i] = d.Field + ": " + d.Reason
	}
	return &Error{Code: CodeValidation, Message: strings.Join(msg, "; "), Details: v.details}
}
