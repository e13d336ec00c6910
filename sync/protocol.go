package sync

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"
	"unsafe"
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
// The returned request shares memory with data: the caller must not
// change data afterwards.
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
	// Strings are cut from the body itself, which text views without a
	// copy (the caller leaves data alone, see above), and so are values
	// that arrive in canonical form.
	p := &pushParser{parser: parser{data: data, text: unsafe.String(unsafe.SliceData(data), len(data))}}
	req, err := p.request()
	if p.ws(); err == nil && p.pos != len(p.data) {
		err = p.fail("unexpected data after the request object")
	}
	if err != nil {
		var pe *parseError
		if errors.As(err, &pe) {
			return PushRequest{}, &DecodeError{Offset: int64(pe.offset), Reason: pe.msg, Err: err}
		}
		return PushRequest{}, err
	}

	var errs ValidationErrors
	docs := make([]Doc, 0, len(req.Docs))
	at := make(map[string]int, len(req.Docs))
	start := 0
	for i, d := range req.Docs {
		if end := p.errEnd[i]; end > start {
			errs = append(errs, p.invalid[start:end]...)
			start = end
			continue
		}
		first, dup := at[d.ID]
		switch {
		case !dup:
			at[d.ID] = len(docs)
			docs = append(docs, d)
		case docs[first].Type != d.Type:
			errs = append(errs, ValidationError{Doc: d.ID, Field: "type",
				Reason: fmt.Sprintf("document appears in the batch as both %s and %s", docs[first].Type, d.Type)})
		default:
			docs[first] = Merge(docs[first], d)
		}
	}
	req.Docs = docs
	if len(errs) > 0 {
		return req, errs
	}
	return req, nil
}

// pushParser reads the envelope of a push body: fixed keys, each once.
// It validates each document as soon as it is read, with the values its
// fields parsed to.
type pushParser struct {
	parser
	parsed  parsedFields     // the fields of the document being read
	invalid ValidationErrors // of the documents read, in order
	errEnd  []int            // of each document read, the end of its errors in invalid
	values  []byte           // canonical field values that differ from their input
}

// members parses an object whose keys must be among keys, each at most
// once and all of them present; member parses the value of each.
func (p *pushParser) members(what string, keys []string, member func(key string) error) error {
	if p.next() != '{' {
		return p.fail(what + " must be an object")
	}
	var seen [3]bool
	err := p.object(func(key string) error {
		i := slices.Index(keys, key)
		switch {
		case i < 0:
			return p.fail(fmt.Sprintf("%s: unknown key %q", what, truncate(key)))
		case seen[i]:
			return p.fail(fmt.Sprintf("%s: key %q repeated", what, key))
		}
		seen[i] = true
		return member(key)
	})
	if err != nil {
		return err
	}
	for i, k := range keys {
		if !seen[i] {
			return p.fail(fmt.Sprintf("%s: %q missing", what, k))
		}
	}
	return nil
}

func (p *pushParser) str(what string) (string, error) {
	if p.next() != '"' {
		return "", p.fail(what + " must be a string")
	}
	return p.string()
}

func (p *pushParser) request() (PushRequest, error) {
	var req PushRequest
	err := p.members("the request", []string{"batchId", "docs"}, func(key string) error {
		if key == "batchId" {
			start := p.pos
			s, err := p.str("batchId")
			if err == nil && checkID(s) != nil {
				p.pos = start
				err = p.fail("batchId: " + errBadID.Error())
			}
			req.BatchID = s
			return err
		}
		docs, err := p.docs()
		req.Docs = docs
		return err
	})
	if err != nil {
		return PushRequest{}, err
	}
	return req, nil
}

func (p *pushParser) docs() ([]Doc, error) {
	if err := p.expect('['); err != nil {
		return nil, p.fail("docs must be an array")
	}
	var docs []Doc
	if p.next() == ']' {
		p.pos++
		return docs, nil
	}
	for {
		if len(docs) == MaxPushDocs {
			return nil, ErrTooManyDocs
		}
		d, err := p.doc()
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
		p.invalid = append(p.invalid, validateDoc(d, p.parsed)...)
		p.errEnd = append(p.errEnd, len(p.invalid))
		switch p.next() {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return docs, nil
		default:
			return nil, p.fail("want ',' or ']' after a document")
		}
	}
}

func (p *pushParser) doc() (Doc, error) {
	var d Doc
	err := p.members("a document", []string{"id", "type", "fields"}, func(key string) error {
		var err error
		switch key {
		case "id":
			d.ID, err = p.str("id")
		case "type":
			d.Type, err = p.str("type")
		default:
			d.Fields, err = p.fields()
		}
		return err
	})
	return d, err
}

func (p *pushParser) fields() (map[string]Field, error) {
	if p.next() != '{' {
		return nil, p.fail("fields must be an object")
	}
	fields := map[string]Field{}
	p.parsed = p.parsed[:0]
	err := p.object(func(name string) error {
		if _, dup := fields[name]; dup {
			return p.fail(fmt.Sprintf("fields: %q repeated", truncate(name)))
		}
		f, v, err := p.field()
		fields[name] = f
		p.parsed = append(p.parsed, parsedField{name, v})
		return err
	})
	return fields, err
}

// field parses one {"value", "ts"} register, returning the value both
// canonical and parsed.
func (p *pushParser) field() (Field, any, error) {
	var f Field
	var v any
	err := p.members("a field", []string{"value", "ts"}, func(key string) error {
		if key == "ts" {
			var err error
			f.TS, err = p.str("ts")
			return err
		}
		var err error
		start := p.pos
		if v, err = p.value(0); err != nil {
			return err
		}
		// Each value is a slice capped at its end, so that no later
		// append can reach into what follows it.
		in := p.data[start:p.pos:p.pos]
		if canonicalScalar(in, v) {
			f.Value = in
			return nil
		}
		// Values rewritten into canonical form share one buffer; an array
		// or object that arrived canonical is kept as sent.
		at := len(p.values)
		p.values = appendValue(p.values, v)
		if bytes.Equal(p.values[at:], in) {
			p.values = p.values[:at]
			f.Value = in
			return nil
		}
		f.Value = p.values[at:len(p.values):len(p.values)]
		return nil
	})
	return f, v, err
}

// canonicalScalar reports whether in, the input text of the parsed value
// v, is already v's canonical form (see CanonicalValue), as the values
// clients send usually are: a literal, an integer of at most 15 digits
// other than -0, or a string without escapes, < > & and U+2028/U+2029.
// It needs in to be valid UTF-8, and says false for arrays and objects.
func canonicalScalar(in []byte, v any) bool {
	switch v.(type) {
	case nil, bool:
		return true
	case *float64:
		if len(in) > 15 || len(in) == 2 && in[0] == '-' && in[1] == '0' {
			return false
		}
		for i, c := range in {
			if (c < '0' || c > '9') && (c != '-' || i > 0) {
				return false
			}
		}
		return true
	case string:
		return bytes.IndexByte(in, '\\') < 0 && !NeedsHTMLEscape(in)
	}
	return false
}
