package sync_test

import (
	"testing"

	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/training"
)

func TestMergeByID(t *testing.T) {
	doc := func(id string, fields ...string) sync.Doc {
		d := sync.Doc{ID: id, Type: training.TypeSession, Fields: map[string]sync.Field{}}
		for i := 0; i+2 < len(fields); i += 3 {
			d.Fields[fields[i]] = sync.Field{Value: []byte(fields[i+1]), TS: fields[i+2]}
		}
		return d
	}
	const t1, t2 = "0000000000010000-a", "0000000000020000-a"
	a1 := doc("a", "note", `"a1"`, t1, "sessionRpe", `3`, t2)
	a2 := doc("a", "note", `"a2"`, t2, "sessionRpe", `5`, t1)
	a12 := doc("a", "note", `"a2"`, t2, "sessionRpe", `3`, t2)
	b := doc("b", "note", `"b"`, t1)
	c := doc("c", "note", `"c"`, t1)
	tests := []struct {
		name string
		in   []sync.Doc
		want []sync.Doc
		same bool // the input slice comes back
	}{
		{name: "nil", in: nil, want: nil, same: true},
		{name: "one", in: []sync.Doc{a1}, want: []sync.Doc{a1}, same: true},
		{name: "distinct", in: []sync.Doc{c, a1, b}, want: []sync.Doc{c, a1, b}, same: true},
		{name: "pair", in: []sync.Doc{a1, a2}, want: []sync.Doc{a12}},
		{name: "first-seen order", in: []sync.Doc{b, a1, c, a2}, want: []sync.Doc{b, a12, c}},
		{name: "duplicate after others", in: []sync.Doc{a2, b, c, b, a1}, want: []sync.Doc{a12, b, c}},
		{name: "repeated", in: []sync.Doc{c, c, c}, want: []sync.Doc{c}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]sync.Doc(nil), tc.in...)
			got := sync.MergeByID(in)
			if len(got) != len(tc.want) {
				t.Fatalf("MergeByID = %d documents, want %d: %+v", len(got), len(tc.want), got)
			}
			for i := range got {
				if !got[i].Equal(tc.want[i]) {
					t.Errorf("document %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
			if returned := len(in) > 0 && &got[0] == &in[0]; returned != (tc.same && len(in) > 0) {
				t.Errorf("returned the input slice: %v, want %v", returned, tc.same)
			}
			for i := range in {
				if !in[i].Equal(tc.in[i]) {
					t.Errorf("input %d changed to %+v", i, in[i])
				}
			}
		})
	}
}
