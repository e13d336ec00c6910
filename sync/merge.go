package sync

import (
	"bytes"
	"encoding/json"
	"time"
)

// Merge returns the join of two states of a document. Every field is a
// last-writer-wins register: the field with the larger TS (string order of
// the wire form) wins; with equal TS the larger value bytes win, so the
// result never depends on argument order. Merge is commutative, associative
// and idempotent, so replicas that have seen the same writes hold the same
// document whatever the order, grouping or repetition of delivery.
//
// Values are compared as stored; they are canonical when they came through
// DecodePushRequest, CanonicalValue or EncodeValue. ID and Type of the
// result are the larger of the two (they only differ when one side is the
// zero Doc, e.g. merging into a document not yet stored). The result shares
// value bytes with its inputs and has a fresh Fields map.
func Merge(a, b Doc) Doc {
	out := Doc{ID: max(a.ID, b.ID), Type: max(a.Type, b.Type), Fields: make(map[string]Field, max(len(a.Fields), len(b.Fields)))}
	for name, f := range a.Fields {
		out.Fields[name] = f
	}
	for name, g := range b.Fields {
		if f, ok := out.Fields[name]; ok {
			out.Fields[name] = MergeField(f, g)
		} else {
			out.Fields[name] = g
		}
	}
	return out
}

// MergeField returns the winner of two writes to one register.
func MergeField(f, g Field) Field {
	switch {
	case f.TS > g.TS:
		return f
	case f.TS < g.TS:
		return g
	case bytes.Compare(f.Value, g.Value) >= 0:
		return f
	}
	return g
}

// Deleted reports whether the document is a tombstone: its "deleted" field
// holds true.
func (d Doc) Deleted() bool {
	f, ok := d.Fields["deleted"]
	if !ok {
		return false
	}
	var v bool
	return json.Unmarshal(f.Value, &v) == nil && v
}

// MaxTS returns the largest TS of any field, "" when there is none.
func (d Doc) MaxTS() string {
	var m string
	for _, f := range d.Fields {
		m = max(m, f.TS)
	}
	return m
}

// DeletedAt returns the wall time of the stamp on the "deleted" field when
// the document is a tombstone. ok is false when it is not, or when the
// stamp does not parse (such a document never passes Validate).
func (d Doc) DeletedAt() (t time.Time, ok bool) {
	if !d.Deleted() {
		return time.Time{}, false
	}
	ts, err := ParseTimestamp(d.Fields["deleted"].TS)
	if err != nil {
		return time.Time{}, false
	}
	return ts.Time(), true
}

// Equal reports whether two documents hold the same id, type and fields,
// byte for byte.
func (d Doc) Equal(e Doc) bool {
	if d.ID != e.ID || d.Type != e.Type || len(d.Fields) != len(e.Fields) {
		return false
	}
	for name, f := range d.Fields {
		g, ok := e.Fields[name]
		if !ok || f.TS != g.TS || !bytes.Equal(f.Value, g.Value) {
			return false
		}
	}
	return true
}

// MergeByID merges the documents of docs that share an ID (Merge) and
// returns one document per ID, in the order of each ID's first appearance.
// When no two documents share an ID it returns docs itself; otherwise a new
// slice, and docs is left as it was.
func MergeByID(docs []Doc) []Doc {
	at := make(map[string]int, len(docs)) // index in the result of each ID
	var out []Doc                         // nil until the first duplicate
	for i, d := range docs {
		k, dup := at[d.ID]
		switch {
		case dup && out == nil:
			out = make([]Doc, i, len(docs))
			copy(out, docs[:i])
			fallthrough
		case dup:
			out[k] = Merge(out[k], d)
		case out == nil:
			at[d.ID] = i
		default:
			at[d.ID] = len(out)
			out = append(out, d)
		}
	}
	if out == nil {
		return docs
	}
	return out
}
