package sync

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"
)

// Protocol limits.
const (
	MaxPushDocs      = 500     // documents per push (413 beyond)
	MaxPushBytes     = 1 << 20 // bytes per push body (413 beyond)
	MaxPullLimit     = 1000    // documents per pull page
	DefaultPullLimit = 200     // documents per pull page when the client names none
	MaxSkew          = 5 * time.Minute
)

// PushRequest is the body of POST /api/v1/sync/push.
type PushRequest struct {
	BatchID string `json:"batchId"`
	Docs    []Doc  `json:"docs"`
}

// PushResponse answers a push.
type PushResponse struct {
	Applied    int   `json:"applied"`
	ServerTime int64 `json:"serverTime"` // ms since the Unix epoch
}

// PullResponse is one page of GET /api/v1/sync/pull. Cursor is the decimal
// change-log sequence to pass back; More says another page follows.
type PullResponse struct {
	Docs       []Doc  `json:"docs"`
	Cursor     string `json:"cursor"`
	More       bool   `json:"more"`
	ServerTime int64  `json:"serverTime"` // ms since the Unix epoch
}

var (
	// ErrTooManyDocs: a push carries more than MaxPushDocs documents.
	ErrTooManyDocs = errors.New("too many documents in one push")
	// ErrTooLarge: a push body is longer than MaxPushBytes. Servers
	// normally cut the body off before it gets here.
	ErrTooLarge = errors.New("push request too large")
)

// DecodeError reports a push body that is not a well-formed push request:
// bad JSON, trailing data, unknown or repeated keys, missing keys, a value
// of the wrong JSON type in the envelope, or a bad batch id.
type DecodeError struct {
	Offset int64  // byte offset in the body near the problem
	Reason string // what is wrong, without echoing the input at length
	Err    error  // the underlying JSON error, if any
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("malformed push request near byte %d: %s", e.Offset, e.Reason)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// SkewError reports a timestamp too far ahead of the server's clock. The
// client corrects its clock from ServerTime and stamps its changes again.
type SkewError struct {
	ServerTime time.Time
	Doc        string // the first document found with such a stamp
	TS         string // that stamp
}

func (e *SkewError) Error() string {
	return fmt.Sprintf("clock skew: document %q stamped %s, more than %v ahead of server time %s",
		e.Doc, e.TS, MaxSkew, e.ServerTime.UTC().Format(time.RFC3339Nano))
}

// CheckSkew returns a *SkewError when any field of docs is stamped more
// than MaxSkew after now, else nil. Stamps that do not parse are left to
// Validate.
func CheckSkew(docs []Doc, now time.Time) error {
	limit := now.Add(MaxSkew).UnixMilli()
	for _, d := range docs {
		for _, f := range d.Fields {
			ts, err := ParseTimestamp(f.TS)
			if err == nil && ts.Wall > limit {
				return &SkewError{ServerTime: now, Doc: d.ID, TS: f.TS}
			}
		}
	}
	return nil
}

// DecodePushRequest decodes and checks a push body strictly.
//
// The envelope must be exactly {"batchId": string, "docs": [...]}, each
// document exactly {"id": string, "type": string, "fields": {...}} and each
// field exactly {"value": any JSON, "ts": string}: keys are case-sensitive,
// unknown, missing or repeated keys and trailing data are errors, and the
// body must be UTF-8. batchId is 1–64 of [A-Za-z0-9_-]. Every field value
// is returned in canonical form (CanonicalValue).
//
// Errors:
//   - *DecodeError for a malformed body (HTTP 400);
//   - ErrTooManyDocs for more than MaxPushDocs documents, ErrTooLarge for a
//     body over MaxPushBytes (413);
//   - ValidationErrors listing every document field that fails Validate
//     (422). The returned request then still holds every valid document,
//     so a caller may apply those and report the rest.
//
// A document id may appear more than once in a batch: the occurrences are
// merged (Merge) into one document at the position of the first, exactly
// as if they had been pushed one after the other. Occurrences of one id
// with different types are rejected (the later ones, as a ValidationError
// on "type").
func DecodePushRequest(data []byte) (PushRequest, error) {
	if len(data) > MaxPushBytes {
		return PushRequest{}, ErrTooLarge
	}
	if !utf8.Valid(data) {
		return PushRequest{}, &DecodeError{Reason: "body is not valid UTF-8"}
	}
	p := &pushParser{dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	req, err := p.request()
	if err != nil {
		return PushRequest{}, err
	}
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return PushRequest{}, p.fail("unexpected data after the request object", nil)
	}

	var errs ValidationErrors
	docs := make([]Doc, 0, len(req.Docs))
	at := make(map[string]int, len(req.Docs))
	for _, d := range req.Docs {
		if verrs := validateDoc(d); len(verrs) > 0 {
			errs = append(errs, verrs...)
			continue
		}
		i, dup := at[d.ID]
		switch {
		case !dup:
			at[d.ID] = len(docs)
			docs = append(docs, d)
		case docs[i].Type != d.Type:
			errs = append(errs, ValidationError{Doc: d.ID, Field: "type",
				Reason: fmt.Sprintf("document appears in the batch as both %s and %s", docs[i].Type, d.Type)})
		default:
			docs[i] = Merge(docs[i], d)
		}
	}
	req.Docs = docs
	if len(errs) > 0 {
		return req, errs
	}
	return req, nil
}

// pushParser walks the token stream of a push body.
type pushParser struct {
	dec *json.Decoder
}

func (p *pushParser) fail(reason string, err error) *DecodeError {
	return &DecodeError{Offset: p.dec.InputOffset(), Reason: reason, Err: err}
}

// token reads the next token, turning JSON errors into a *DecodeError.
func (p *pushParser) token() (json.Token, error) {
	t, err := p.dec.Token()
	switch {
	case errors.Is(err, io.EOF):
		return nil, p.fail("unexpected end of input", io.ErrUnexpectedEOF)
	case err != nil:
		return nil, p.fail(err.Error(), err)
	}
	return t, nil
}

func (p *pushParser) delim(want json.Delim, what string) error {
	t, err := p.token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		kind := "an array"
		if want == '{' {
			kind = "an object"
		}
		return p.fail(what+" must be "+kind, nil)
	}
	return nil
}

func (p *pushParser) str(what string) (string, error) {
	t, err := p.token()
	if err != nil {
		return "", err
	}
	s, ok := t.(string)
	if !ok {
		return "", p.fail(what+" must be a string", nil)
	}
	return s, nil
}

// object reads one JSON object, calling member for each key; member reads
// the key's value. Repeated keys are rejected.
func (p *pushParser) object(what string, member func(key string) error) error {
	if err := p.delim('{', what); err != nil {
		return err
	}
	seen := make(map[string]bool)
	for p.dec.More() {
		key, err := p.str("a key")
		if err != nil {
			return err
		}
		if seen[key] {
			return p.fail(fmt.Sprintf("%s: key %q repeated", what, truncate(key)), nil)
		}
		seen[key] = true
		if err := member(key); err != nil {
			return err
		}
	}
	_, err := p.token() // '}'
	return err
}

// require fails unless every key was seen.
func (p *pushParser) require(what string, seen map[string]bool, keys ...string) error {
	for _, k := range keys {
		if !seen[k] {
			return p.fail(fmt.Sprintf("%s: %q missing", what, k), nil)
		}
	}
	return nil
}

func (p *pushParser) request() (PushRequest, error) {
	var req PushRequest
	seen := map[string]bool{}
	err := p.object("the request", func(key string) error {
		seen[key] = true
		switch key {
		case "batchId":
			s, err := p.str("batchId")
			if err != nil {
				return err
			}
			if checkID(s) != nil {
				return p.fail("batchId: "+errBadID.Error(), nil)
			}
			req.BatchID = s
			return nil
		case "docs":
			docs, err := p.docs()
			req.Docs = docs
			return err
		}
		return p.fail(fmt.Sprintf("the request: unknown key %q", truncate(key)), nil)
	})
	if err != nil {
		return PushRequest{}, err
	}
	if err := p.require("the request", seen, "batchId", "docs"); err != nil {
		return PushRequest{}, err
	}
	return req, nil
}

func (p *pushParser) docs() ([]Doc, error) {
	if err := p.delim('[', "docs"); err != nil {
		return nil, err
	}
	var docs []Doc
	for p.dec.More() {
		if len(docs) == MaxPushDocs {
			return nil, ErrTooManyDocs
		}
		d, err := p.doc()
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	_, err := p.token() // ']'
	return docs, err
}

func (p *pushParser) doc() (Doc, error) {
	var d Doc
	seen := map[string]bool{}
	err := p.object("a document", func(key string) error {
		seen[key] = true
		var err error
		switch key {
		case "id":
			d.ID, err = p.str("id")
		case "type":
			d.Type, err = p.str("type")
		case "fields":
			d.Fields, err = p.fields()
		default:
			err = p.fail(fmt.Sprintf("a document: unknown key %q", truncate(key)), nil)
		}
		return err
	})
	if err != nil {
		return Doc{}, err
	}
	return d, p.require("a document", seen, "id", "type", "fields")
}

func (p *pushParser) fields() (map[string]Field, error) {
	fields := map[string]Field{}
	err := p.object("fields", func(name string) error {
		f, err := p.field()
		fields[name] = f
		return err
	})
	return fields, err
}

func (p *pushParser) field() (Field, error) {
	var f Field
	seen := map[string]bool{}
	err := p.object("a field", func(key string) error {
		seen[key] = true
		var err error
		switch key {
		case "value":
			f.Value, err = appendCanonical(nil, p.dec, 0)
			if err != nil {
				var de *DecodeError
				if !errors.As(err, &de) {
					err = p.fail("value: "+err.Error(), err)
				}
			}
		case "ts":
			f.TS, err = p.str("ts")
		default:
			err = p.fail(fmt.Sprintf("a field: unknown key %q", truncate(key)), nil)
		}
		return err
	})
	if err != nil {
		return Field{}, err
	}
	return f, p.require("a field", seen, "value", "ts")
}
