// Package sync is a generic CRDT of synced documents: hybrid logical
// clocks, documents whose fields are last-writer-wins registers, their
// merge, one canonical JSON form for field values, and the push and pull
// protocol with a strict push decoder.
//
// It does no I/O (no database, no network, no files outside tests) and
// knows no session: which document types exist and what their fields may
// hold is a Schema its caller passes to DecodePushRequest and Validate
// (the training diary's is training.Schema). The same rules are
// implemented in the PWA (pwa/js/hlc.js, pwa/js/merge.js); both read the
// vectors in testdata/ so that a merge gives the same bytes on every side.
// Field values are kept in one canonical JSON form (CanonicalValue), so
// equal values are equal bytes in Go, in JS and in every store. JSON is
// read with github.com/go-json-experiment/json/jsontext.
package sync

import "encoding/json"

// Doc is one synced document, owned by a single scope (one patient).
// Every field is a last-writer-wins register; a document whose "deleted"
// field holds true is a tombstone.
type Doc struct {
	ID     string           `json:"id"`
	Type   string           `json:"type"`
	Fields map[string]Field `json:"fields"`
	// SentFields is the document's fields object as a push body held it
	// (a slice of the body), set by DecodePushRequest; nil for a document
	// made or changed in any other way. It is a hint, never the truth: a
	// store may keep it as its stored form after checking that it is that
	// form byte for byte (store.FieldsWriter), which spares a copy of
	// every pushed document.
	SentFields json.RawMessage `json:"-"`
}

// Field is a last-writer-wins register: the value written with the larger
// TS wins. TS is the wire form of an HLC timestamp (see Timestamp), so plain
// string comparison orders registers.
type Field struct {
	Value json.RawMessage `json:"value"`
	TS    string          `json:"ts"`
}
