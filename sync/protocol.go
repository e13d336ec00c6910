package sync

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
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

// DecodePushRequest decodes a push body strictly and checks every document
// against s.
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
//     against s (422). The returned request then still holds every valid
//     document, so a caller may apply those and report the rest.
//
// The returned request shares memory with data: the caller must not
// change data afterwards.
//
// A document id may appear more than once in a batch: the occurrences are
// merged (Merge) into one document at the position of the first, exactly
// as if they had been pushed one after the other. Occurrences of one id
// with different types are rejected (the later ones, as a ValidationError
// on "type").
func DecodePushRequest(data []byte, s Schema) (PushRequest, error) {
	if len(data) > MaxPushBytes {
		return PushRequest{}, ErrTooLarge
	}
	if !utf8.Valid(data) {
		return PushRequest{}, &DecodeError{Reason: "body is not valid UTF-8"}
	}
	p := &pushDecoder{dec: newDecoder(data), data: data, schema: s, strings: map[string]string{}}
	req, err := p.request()
	if err == nil {
		if _, end := p.dec.ReadToken(); end != io.EOF {
			err = p.fail("unexpected data after the request object")
		}
	}
	if err != nil {
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

// maxFieldsHint bounds the size a document's fields map is made with.
const maxFieldsHint = 32

// pushDecoder reads the envelope of a push body with fixed keys, and
// validates each document as soon as it is read.
type pushDecoder struct {
	dec     *jsontext.Decoder
	data    []byte // the body dec reads
	schema  Schema
	invalid ValidationErrors // of the documents read, in order
	errEnd  []int            // of each document read, the end of its errors in invalid
	values  []byte           // canonical field values that differ from their input
	canon   canonicalizer
	strings map[string]string
	// The strings repeated read last: the type, each field name by its
	// position in the document, the stamp. Documents of a batch mostly
	// repeat them in that order, and comparing with the last is cheaper
	// than looking up the map (docs/benchmarks.md).
	lastType, lastTS string
	lastNames        []string
	lastCount        int // fields of the last document
}

// fail returns a *DecodeError at the decoder's offset.
func (p *pushDecoder) fail(reason string) error {
	return &DecodeError{Offset: p.dec.InputOffset(), Reason: reason}
}

// syntax turns an error of the decoder into a *DecodeError.
func (p *pushDecoder) syntax(err error) error {
	offset := p.dec.InputOffset()
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		offset = se.ByteOffset
		err = se.Err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &DecodeError{Offset: offset, Reason: "unexpected end of input", Err: err}
	}
	return &DecodeError{Offset: offset, Reason: truncate(err.Error()), Err: err}
}

// members reads an object whose keys must be among keys, each once and
// all of them present (the decoder refuses repeated keys); member reads
// the value of each.
func (p *pushDecoder) members(what string, keys []string, member func(key string) error) error {
	if p.dec.PeekKind() != '{' {
		return p.fail(what + " must be an object")
	}
	if _, err := p.dec.ReadToken(); err != nil {
		return p.syntax(err)
	}
	var seen [3]bool
	for p.dec.PeekKind() != '}' {
		raw, err := p.dec.ReadValue()
		if err != nil {
			return p.syntax(err)
		}
		name := unquote(raw)
		i := slices.IndexFunc(keys, func(k string) bool { return string(name) == k })
		if i < 0 {
			return p.fail(fmt.Sprintf("%s: unknown key %q", what, truncate(string(name))))
		}
		seen[i] = true
		if err := member(keys[i]); err != nil {
			return err
		}
	}
	if _, err := p.dec.ReadToken(); err != nil {
		return p.syntax(err)
	}
	for i, k := range keys {
		if !seen[i] {
			return p.fail(fmt.Sprintf("%s: %q missing", what, k))
		}
	}
	return nil
}

// str reads a string.
func (p *pushDecoder) str(what string) (string, error) {
	b, err := p.text(what)
	return string(b), err
}

// repeated reads a string that the body likely repeats (a type, a field
// name, a stamp), keeping one copy of each; *last is the one it read last
// in the same place, and becomes the one it reads.
func (p *pushDecoder) repeated(what string, last *string) (string, error) {
	b, err := p.text(what)
	if err != nil {
		return "", err
	}
	if string(b) == *last {
		return *last, nil
	}
	s, ok := p.strings[string(b)]
	if !ok {
		s = string(b)
		p.strings[s] = s
	}
	*last = s
	return s, nil
}

// text reads a string, returning its text until the next read.
func (p *pushDecoder) text(what string) ([]byte, error) {
	if p.dec.PeekKind() != '"' {
		if _, err := p.dec.ReadToken(); err != nil {
			return nil, p.syntax(err)
		}
		return nil, p.fail(what + " must be a string")
	}
	raw, err := p.dec.ReadValue()
	if err != nil {
		return nil, p.syntax(err)
	}
	return unquote(raw), nil
}

func (p *pushDecoder) request() (PushRequest, error) {
	var req PushRequest
	err := p.members("the request", []string{"batchId", "docs"}, func(key string) error {
		if key == "batchId" {
			s, err := p.str("batchId")
			if err == nil && checkID(s) != nil {
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

func (p *pushDecoder) docs() ([]Doc, error) {
	if p.dec.PeekKind() != '[' {
		return nil, p.fail("docs must be an array")
	}
	if _, err := p.dec.ReadToken(); err != nil {
		return nil, p.syntax(err)
	}
	docs := []Doc{}
	for p.dec.PeekKind() != ']' {
		if len(docs) == MaxPushDocs {
			return nil, ErrTooManyDocs
		}
		d, err := p.doc()
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
		p.invalid = append(p.invalid, validateDoc(d, p.schema, true)...)
		p.errEnd = append(p.errEnd, len(p.invalid))
	}
	if _, err := p.dec.ReadToken(); err != nil {
		return nil, p.syntax(err)
	}
	return docs, nil
}

func (p *pushDecoder) doc() (Doc, error) {
	var d Doc
	err := p.members("a document", []string{"id", "type", "fields"}, func(key string) error {
		var err error
		switch key {
		case "id":
			d.ID, err = p.str("id")
		case "type":
			d.Type, err = p.repeated("type", &p.lastType)
		default:
			start := int(p.dec.InputOffset())
			if d.Fields, err = p.fields(); err == nil {
				// As sent, a slice of the body capped at its end (see field).
				end := int(p.dec.InputOffset())
				d.SentFields = bytes.TrimLeft(p.data[start:end:end], " \t\r\n:")
			}
		}
		return err
	})
	return d, err
}

func (p *pushDecoder) fields() (map[string]Field, error) {
	if p.dec.PeekKind() != '{' {
		return nil, p.fail("fields must be an object")
	}
	if _, err := p.dec.ReadToken(); err != nil {
		return nil, p.syntax(err)
	}
	// Sized as the last document's, which the next one mostly matches
	// (within reason: a body must not buy large maps with small documents).
	fields := make(map[string]Field, min(p.lastCount, maxFieldsHint))
	for i := 0; p.dec.PeekKind() != '}'; i++ {
		if i == len(p.lastNames) {
			p.lastNames = append(p.lastNames, "")
		}
		name, err := p.repeated("a field name", &p.lastNames[i])
		if err != nil {
			return nil, err
		}
		if fields[name], err = p.field(); err != nil {
			return nil, err
		}
	}
	if _, err := p.dec.ReadToken(); err != nil {
		return nil, p.syntax(err)
	}
	p.lastCount = len(fields)
	return fields, nil
}

// field reads one {"value", "ts"} register, its value made canonical.
func (p *pushDecoder) field() (Field, error) {
	var f Field
	err := p.members("a field", []string{"value", "ts"}, func(key string) error {
		if key == "ts" {
			var err error
			f.TS, err = p.repeated("ts", &p.lastTS)
			return err
		}
		start := int(p.dec.InputOffset())
		at := len(p.values)
		values, err := p.canon.appendValue(p.values, p.dec)
		if err != nil {
			if _, ok := errors.AsType[*jsontext.SyntacticError](err); ok || errors.Is(err, io.ErrUnexpectedEOF) {
				return p.syntax(err)
			}
			return &DecodeError{Offset: int64(start), Reason: "value: " + err.Error(), Err: err}
		}
		p.values = values
		// The value as sent, a slice of the body capped at its end, so
		// that no later append can reach into what follows it. It starts
		// after the colon and any space before it.
		end := int(p.dec.InputOffset())
		in := bytes.TrimLeft(p.data[start:end:end], " \t\r\n:")
		// Values rewritten into canonical form share one buffer; a value
		// that arrived canonical is kept as sent.
		if bytes.Equal(p.values[at:], in) {
			p.values = p.values[:at]
			f.Value = in
			return nil
		}
		f.Value = p.values[at:len(p.values):len(p.values)]
		return nil
	})
	return f, err
}
