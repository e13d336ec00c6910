package sqlitestore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
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

// TestWireDoc checks appendWireDoc against encoding/json on the documents
// it replaces (decodeFields of the stored form, then json.Marshal), for
// random IDs, names, stamps and values: plain and odd characters, HTML
// characters, U+2028, invalid UTF-8, values with whitespace.
func TestWireDoc(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	pieces := []string{"a", "Z", "9", "_", "-", "<", ">", "&", `"`, `\`, "\t", "\x01", "æ", "ø", "\u2028", "\u2029",
		"\ufffd", "\xff", " ", "é", "€", "😀"}
	str := func(n int) string {
		var b strings.Builder
		for range rng.IntN(n) + 1 {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	values := []string{`1`, `-2.5e+21`, `true`, `null`, `"4x4"`, `[1, 2]`, `{"b" : 1, "a":[null]}`,
		`"x<y>&z"`, "\"line\u2028sep\"", `"\u003c\u2028\ufffd"`, `"\ud83d\ude00"`, `[{"rpe":15,"hrPeak":172}]`}
	for i := range 2000 {
		fields := map[string]sync.Field{}
		for range rng.IntN(6) {
			name := str(6)
			if rng.IntN(2) == 0 {
				name = []string{"note", "protocol", "intervals", "deleted"}[rng.IntN(4)]
			}
			v := values[rng.IntN(len(values))]
			if rng.IntN(3) == 0 {
				s, _ := json.Marshal(str(10))
				v = string(s)
			}
			ts := "0000018d1e2f3a40-dev"
			if rng.IntN(4) == 0 {
				ts = str(8)
			}
			fields[name] = sync.Field{Value: json.RawMessage(v), TS: ts}
		}
		id, typ := fmt.Sprintf("doc-%d", i), "session"
		if rng.IntN(4) == 0 {
			id, typ = str(8), str(4)
		}
		stored, err := encodeFields(fields)
		if err != nil {
			t.Fatalf("encodeFields: %v", err)
		}
		decoded, err := decodeFields(bytes.Clone(stored))
		if err != nil {
			t.Fatalf("decodeFields(%s): %v", stored, err)
		}
		want, err := json.Marshal(sync.Doc{ID: id, Type: typ, Fields: decoded})
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendWireDoc([]byte("prefix"), []byte(id), []byte(typ), stored)
		if err != nil {
			t.Fatalf("appendWireDoc(%s): %v", stored, err)
		}
		if !bytes.Equal(got[len("prefix"):], want) {
			t.Fatalf("appendWireDoc(%q, %q, %s)\n got %s\nwant %s", id, typ, stored, got[len("prefix"):], want)
		}
	}
}
