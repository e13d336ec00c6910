// Package synctest builds sync documents for tests: the one document
// builder that the store, api and end-to-end tests share.
package synctest

import (
	"testing"
	"time"

	"github.com/hit4x4/dagbok/sync"
)

// Stamp is the HLC stamp of node at wall time at, counter zero.
func Stamp(at time.Time, node string) string {
	return sync.Timestamp{Wall: at.UnixMilli(), Node: node}.String()
}

// Doc builds a document of type typ from name/value pairs, every field
// stamped ts. Values are encoded in the canonical form.
func Doc(t testing.TB, typ, id, ts string, kv ...any) sync.Doc {
	t.Helper()
	if len(kv)%2 != 0 {
		t.Fatalf("synctest.Doc(%s): odd number of name/value arguments", id)
	}
	d := sync.Doc{ID: id, Type: typ, Fields: make(map[string]sync.Field, len(kv)/2)}
	for i := 0; i < len(kv); i += 2 {
		name, ok := kv[i].(string)
		if !ok {
			t.Fatalf("synctest.Doc(%s): field name %v is not a string", id, kv[i])
		}
		d.Fields[name] = Field(t, kv[i+1], ts)
	}
	return d
}

// Session builds a session document from name/value pairs, every field
// stamped ts.
func Session(t testing.TB, id, ts string, kv ...any) sync.Doc {
	t.Helper()
	return Doc(t, "session", id, ts, kv...)
}

// Tombstone builds the deletion of session id, stamped ts.
func Tombstone(t testing.TB, id, ts string) sync.Doc {
	t.Helper()
	return Session(t, id, ts, "deleted", true)
}

// Field builds one register: v in the canonical form, stamped ts.
func Field(t testing.TB, v any, ts string) sync.Field {
	t.Helper()
	raw, err := sync.EncodeValue(v)
	if err != nil {
		t.Fatalf("synctest.Field(%v): %v", v, err)
	}
	return sync.Field{Value: raw, TS: ts}
}
