package sync_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/training"
)

type mergeCase struct {
	Name    string     `json:"name"`
	Docs    []sync.Doc `json:"docs"`
	Want    sync.Doc   `json:"want"`
	Deleted bool       `json:"deleted"`
	MaxTS   string     `json:"maxTS"`
}

// canonicalDoc returns d with every value in canonical form (the vector
// files are indented for reading).
func canonicalDoc(t *testing.T, d sync.Doc) sync.Doc {
	t.Helper()
	out := sync.Doc{ID: d.ID, Type: d.Type, Fields: map[string]sync.Field{}}
	for name, f := range d.Fields {
		v, err := sync.CanonicalValue(f.Value)
		if err != nil {
			t.Fatalf("%s.%s: %v", d.ID, name, err)
		}
		out.Fields[name] = sync.Field{Value: v, TS: f.TS}
	}
	return out
}

func docString(d sync.Doc) string {
	b, _ := json.Marshal(d)
	return string(b)
}

// permutations calls f with every ordering of n indexes.
func permutations(n int, f func([]int)) {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	var rec func(k int)
	rec = func(k int) {
		if k == n {
			f(p)
			return
		}
		for i := k; i < n; i++ {
			p[k], p[i] = p[i], p[k]
			rec(k + 1)
			p[k], p[i] = p[i], p[k]
		}
	}
	rec(0)
}

// TestMergeVectors folds Merge over every permutation of each vector's
// inputs, left and right, with every input delivered twice, and in
// pairwise trees: the result is always the expected document, byte for byte.
func TestMergeVectors(t *testing.T) {
	var v struct {
		Cases []mergeCase `json:"cases"`
	}
	readVectors(t, "merge.json", &v)
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			docs := make([]sync.Doc, len(c.Docs))
			for i, d := range c.Docs {
				docs[i] = canonicalDoc(t, d)
				if err := training.Validate(docs[i]); err != nil {
					t.Fatalf("input %d is not a valid document: %v", i, err)
				}
			}
			want := canonicalDoc(t, c.Want)
			before := make([]string, len(docs))
			for i, d := range docs {
				before[i] = docString(d)
			}
			check := func(how string, got sync.Doc) {
				t.Helper()
				if !got.Equal(want) {
					t.Fatalf("%s:\n got %s\nwant %s", how, docString(got), docString(want))
				}
			}
			permutations(len(docs), func(p []int) {
				var left, right sync.Doc
				for _, i := range p {
					left = sync.Merge(left, docs[i])
					right = sync.Merge(docs[i], right)
				}
				check("left fold", left)
				check("right fold", right)
				check("idempotent", sync.Merge(left, left))
				for dup := range docs {
					var acc sync.Doc
					for _, i := range p {
						acc = sync.Merge(acc, docs[i])
						if i == dup {
							acc = sync.Merge(acc, docs[i])
						}
					}
					acc = sync.Merge(acc, docs[dup])
					check("with duplicates", acc)
				}
				// Pairwise tree: ((p0 p1) (p2 p3)) …
				level := make([]sync.Doc, 0, len(p))
				for _, i := range p {
					level = append(level, docs[i])
				}
				for len(level) > 1 {
					var next []sync.Doc
					for i := 0; i < len(level); i += 2 {
						if i+1 < len(level) {
							next = append(next, sync.Merge(level[i], level[i+1]))
						} else {
							next = append(next, level[i])
						}
					}
					level = next
				}
				check("tree", level[0])
			})
			for i, d := range docs {
				if docString(d) != before[i] {
					t.Errorf("Merge changed input %d", i)
				}
			}
			var got sync.Doc
			for _, d := range docs {
				got = sync.Merge(got, d)
			}
			if got.Deleted() != c.Deleted {
				t.Errorf("Deleted() = %v, want %v", got.Deleted(), c.Deleted)
			}
			if got.MaxTS() != c.MaxTS {
				t.Errorf("MaxTS() = %q, want %q", got.MaxTS(), c.MaxTS)
			}
			at, ok := got.DeletedAt()
			if ok != c.Deleted {
				t.Errorf("DeletedAt() ok = %v, want %v", ok, c.Deleted)
			}
			if ok {
				ts, _ := sync.ParseTimestamp(got.Fields["deleted"].TS)
				if !at.Equal(ts.Time()) {
					t.Errorf("DeletedAt() = %v, want %v", at, ts.Time())
				}
			}
		})
	}
}

func TestDocHelpers(t *testing.T) {
	ts := sync.Timestamp{Wall: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC).UnixMilli(), Node: "a"}.String()
	for _, tc := range []struct {
		name    string
		fields  map[string]sync.Field
		deleted bool
		maxTS   string
	}{
		{"no fields", nil, false, ""},
		{"deleted true", map[string]sync.Field{"deleted": {Value: []byte("true"), TS: ts}}, true, ts},
		{"deleted with spaces", map[string]sync.Field{"deleted": {Value: []byte(" true "), TS: ts}}, true, ts},
		{"deleted false", map[string]sync.Field{"deleted": {Value: []byte("false"), TS: ts}}, false, ts},
		{"deleted null", map[string]sync.Field{"deleted": {Value: []byte("null"), TS: ts}}, false, ts},
		{"deleted garbage", map[string]sync.Field{"deleted": {Value: []byte("tru"), TS: ts}}, false, ts},
		{"other field true", map[string]sync.Field{"note": {Value: []byte("true"), TS: ts}}, false, ts},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := sync.Doc{ID: "x", Type: "session", Fields: tc.fields}
			if d.Deleted() != tc.deleted {
				t.Errorf("Deleted() = %v", d.Deleted())
			}
			if d.MaxTS() != tc.maxTS {
				t.Errorf("MaxTS() = %q", d.MaxTS())
			}
			if _, ok := d.DeletedAt(); ok != tc.deleted {
				t.Errorf("DeletedAt() ok = %v", ok)
			}
		})
	}
	bad := sync.Doc{Fields: map[string]sync.Field{"deleted": {Value: []byte("true"), TS: "junk"}}}
	if _, ok := bad.DeletedAt(); ok {
		t.Error("DeletedAt() ok with an unparsable stamp")
	}
}

func TestMergeFieldTieBreak(t *testing.T) {
	a := sync.Field{Value: []byte(`"a"`), TS: "0000000000010000-n"}
	b := sync.Field{Value: []byte(`"b"`), TS: "0000000000010000-n"}
	if got := sync.MergeField(a, b); !bytes.Equal(got.Value, b.Value) {
		t.Errorf("MergeField(a, b) = %s", got.Value)
	}
	if got := sync.MergeField(b, a); !bytes.Equal(got.Value, b.Value) {
		t.Errorf("MergeField(b, a) = %s", got.Value)
	}
}
