// Package sync is the pure merge engine of the training diary: hybrid logical
// clocks, the document model, per-field last-writer-wins merge, document
// validation and the push/pull protocol types.
//
// It never does I/O: no database, no network, no files outside tests. The
// same rules are implemented in the PWA (pwa/js/hlc.js, pwa/js/merge.js);
// both read the vectors in testdata/ so that a merge gives the same bytes
// on every side. Field values are kept in one canonical JSON form
// (CanonicalValue), so equal values are equal bytes in Go, in JS and in
// every store.
package sync

import "encoding/json"

// Doc is one synced document, owned by a single scope (one patient).
// Every field is a last-writer-wins register; a document whose "deleted"
// field holds true is a tombstone.
type Doc struct {
	ID     string           `json:"id"`
	Type   string           `json:"type"`
	Fields map[string]Field `json:"fields"`
}

// Field is a last-writer-wins register: the value written with the larger
// TS wins. TS is the wire form of an HLC timestamp (see Timestamp), so plain
// string comparison orders registers.
type Field struct {
	Value json.RawMessage `json:"value"`
	TS    string          `json:"ts"`
}
