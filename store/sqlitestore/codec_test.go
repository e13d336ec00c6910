package sqlitestore

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/hit4x4/dagbok/sync"
)

// TestCodec checks that the fast encoder writes exactly what encoding/json
// writes, and that decoding gives the fields back byte for byte, on the
// fast path and the fallback alike.
func TestCodec(t *testing.T) {
	ts := "0000018d1e2f3a40-dev_1"
	tests := []struct {
		name   string
		fields map[string]sync.Field
	}{
		{"empty", map[string]sync.Field{}},
		{"scalars", map[string]sync.Field{
			"b": {Value: []byte(`7`), TS: ts}, "a": {Value: []byte(`"4x4"`), TS: ts},
			"c": {Value: []byte(`true`), TS: ts}, "d": {Value: []byte(`null`), TS: ts},
			"e": {Value: []byte(`-1.5e+21`), TS: ts},
		}},
		{"nested", map[string]sync.Field{
			"intervals": {Value: []byte(`[{"hrAvg":160,"rpe":15},{"rpe":16}]`), TS: ts},
			"x":         {Value: []byte(`{"a":[],"b":{}}`), TS: ts},
			"y":         {Value: []byte(`[]`), TS: ts},
		}},
		{"strings", map[string]sync.Field{
			"note":  {Value: []byte(`"a \"quoted\", {braced} [x] \\ back\u0026 <b> æøå"`), TS: ts},
			"note2": {Value: []byte(`"ends with backslash \\"`), TS: ts},
		}},
		{"whitespace in a value (fallback)", map[string]sync.Field{
			"v": {Value: []byte(`[1, 2]`), TS: ts},
		}},
		{"escaped name (fallback)", map[string]sync.Field{
			"a\"b": {Value: []byte(`1`), TS: ts}, "plain": {Value: []byte(`2`), TS: ts},
		}},
		{"non-ASCII stamp (fallback)", map[string]sync.Field{
			"v": {Value: []byte(`1`), TS: "0000018d1e2f3a40-nøde"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := encodeFields(tc.fields)
			if err != nil {
				t.Fatalf("encodeFields: %v", err)
			}
			want, err := encodeFieldsJSON(tc.fields)
			if err != nil {
				t.Fatalf("encodeFieldsJSON: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("encodeFields = %s\nencoding/json  %s", got, want)
			}
			back, err := decodeFields(got)
			if err != nil {
				t.Fatalf("decodeFields(%s): %v", got, err)
			}
			var ref map[string]sync.Field
			if err := json.Unmarshal(got, &ref); err != nil {
				t.Fatal(err)
			}
			if len(back) != len(ref) {
				t.Fatalf("decodeFields(%s) = %v, want %v", got, back, ref)
			}
			for name, f := range ref {
				if g, ok := back[name]; !ok || g.TS != f.TS || !bytes.Equal(g.Value, f.Value) {
					t.Errorf("field %q = %s @ %s, want %s @ %s", name, g.Value, g.TS, f.Value, f.TS)
				}
			}
		})
	}
	for _, bad := range []string{``, `{`, `{"a":{"value":,"ts":"x"}}`, `[1]`} {
		if _, err := decodeFields([]byte(bad)); err == nil {
			t.Errorf("decodeFields(%s) accepted it", bad)
		}
	}
}

// TestCompact checks the fast validator against encoding/json.
func TestCompact(t *testing.T) {
	tests := []string{
		`0`, `-0`, `1`, `-12.5e+3`, `1E9`, `0.5`, `true`, `false`, `null`, `""`, `"a\"b\\c\/\u00e6\n"`,
		`[]`, `{}`, `[1,"x",{"a":[null]}]`, `{"a":1,"b":{"c":[true,false]}}`, `"æøå"`,
		// invalid or not compact
		``, ` 1`, `1 `, `01`, `1.`, `.5`, `-`, `1e`, `+1`, `tru`, `nul`, `truex`, `"abc`, "\"a\x01\"",
		`"\x"`, `"\u12g4"`, `[1,]`, `[,1]`, `{"a"}`, `{"a":}`, `{a:1}`, `[1 ,2]`, `{"a": 1}`, `[1]]`, `{"a":1,}`,
	}
	for _, v := range tests {
		end, ok := scanCompact([]byte(v), 0, 0)
		got := ok && end == len(v)
		var buf bytes.Buffer
		want := json.Valid([]byte(v)) && json.Compact(&buf, []byte(v)) == nil && buf.String() == v
		if got != want {
			t.Errorf("compact(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestCodecManyFields covers the sort for documents with many fields.
func TestCodecManyFields(t *testing.T) {
	fields := map[string]sync.Field{}
	for i := range 40 {
		fields[string(rune('A'+i))+"x"] = sync.Field{Value: []byte(`1`), TS: "0000018d1e2f3a40-dev"}
	}
	got, err := encodeFields(fields)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := encodeFieldsJSON(fields)
	if !bytes.Equal(got, want) {
		t.Fatalf("encodeFields = %s\nwant %s", got, want)
	}
}

func TestIDArray(t *testing.T) {
	for _, ids := range [][]string{{}, {"a"}, {"plan", "3f2b-11_x"}, {"a\"b", "c"}} {
		var docs []sync.Doc
		for _, id := range ids {
			docs = append(docs, sync.Doc{ID: id})
		}
		got, err := idArray(docs)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(append([]string{}, ids...))
		if !bytes.Equal(got, want) {
			t.Errorf("idArray(%q) = %s, want %s", ids, got, want)
		}
	}
}
