package account

import (
	"errors"
	"strings"
)

// Code says which rule refused. The api package maps each code to a
// status; clients never see these strings.
type Code string

const (
	Invalid        Code = "invalid"         // a field breaks its rule; Fields say which
	EmailTaken     Code = "email_taken"     // an account with the email exists
	BadCredentials Code = "bad_credentials" // wrong email or password
	WrongPassword  Code = "wrong_password"  // signed in, but the confirming password is wrong
	RefreshRefused Code = "refresh_refused" // refresh token unknown, expired, reused, or its account gone
	Forbidden      Code = "forbidden"       // known, but not allowed
	NotFound       Code = "not_found"       // absent, or hidden from this user
	Conflict       Code = "conflict"        // not in a state that allows it
)

// Error is a refusal by one of the package's rules. Message is safe to
// show the user.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError // for Invalid: every rejected field
}

// FieldError names one rejected field and why.
type FieldError struct {
	Field  string
	Reason string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// ErrorCode is the code of err's *Error, or "" when it holds none.
func ErrorCode(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return ""
}

func refuse(code Code, msg string) *Error { return &Error{Code: code, Message: msg} }

// invalid refuses one field.
func invalid(field, reason string) *Error {
	return &Error{Code: Invalid, Message: field + ": " + reason, Fields: []FieldError{{Field: field, Reason: reason}}}
}

// fields collects the rejected fields of one request, so the user learns
// of all of them at once.
type fields []FieldError

func (f *fields) add(field, reason string) { *f = append(*f, FieldError{Field: field, Reason: reason}) }

func (f *fields) check(field string, err error) {
	if err != nil {
		f.add(field, err.Error())
	}
}

// err is the Invalid error naming every collected field, or nil.
func (f fields) err() error {
	if len(f) == 0 {
		return nil
	}
	msg := make([]string, len(f))
	for i, d := range f {
		msg[i] = d.Field + ": " + d.Reason
	}
	return &Error{Code: Invalid, Message: strings.Join(msg, "; "), Fields: f}
}
