package store_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/training"
)

// legacyFields is how the stores wrote a document's fields before they
// used the JSON library: encoding/json's form of the map without HTML
// escaping. app.db files hold documents in this form.
func legacyFields(t *testing.T, fields map[string]sync.Field) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if fields == nil {
		fields = map[string]sync.Field{}
	}
	if err := enc.Encode(fields); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// sameFields fails unless got holds want's fields, values byte for byte.
func sameFields(t *testing.T, what string, got, want map[string]sync.Field) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d fields, want %d", what, len(got), len(want))
	}
	for name, f := range want {
		if g, ok := got[name]; !ok || g.TS != f.TS || !bytes.Equal(g.Value, f.Value) {
			t.Fatalf("%s: field %q = %s @ %q, want %s @ %q", what, name, g.Value, g.TS, f.Value, f.TS)
		}
	}
}

// TestStoredForm checks that the stored form stays what the stores wrote
// before, for random documents: names and stamps with HTML characters,
// quotes, control and non-ASCII characters; values compact or not, with
// escapes. A name or stamp with U+2028, U+2029 or invalid UTF-8 is written
// differently but decodes the same. Either way the old bytes decode to what
// encoding/json reads from them.
func TestStoredForm(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	pieces := []string{"a", "Z", "9", "_", "-", "<", ">", "&", `"`, `\`, "\t", "\x01", "æ", "ø", " ", "é", "€", "😀",
		"\u2028", "\u2029", "\ufffd", "\xff"}
	str := func(n int) string {
		var b strings.Builder
		for range rng.IntN(n) + 1 {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	values := []string{`1`, `-2.5e+21`, `true`, `null`, `"4x4"`, `[1, 2]`, `{"b" : 1, "a":[null]}`, `[]`, `{}`,
		`"x<y>&z"`, `"\u003c\u2028\ufffd"`, `"\ud83d\ude00"`, `[{"rpe":15,"hrPeak":172}]`, `"a\"b\\c\/"`}
	for range 2000 {
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
			fields[name] = sync.Field{Value: []byte(v), TS: ts}
		}
		legacy := legacyFields(t, fields)
		var want map[string]sync.Field
		if err := json.Unmarshal(legacy, &want); err != nil {
			t.Fatal(err)
		}
		got, err := store.DecodeFields(legacy)
		if err != nil {
			t.Fatalf("DecodeFields(%s): %v", legacy, err)
		}
		sameFields(t, "DecodeFields of the old form", got, want)

		enc, err := store.EncodeFields(fields)
		if err != nil {
			t.Fatalf("EncodeFields(%s): %v", legacy, err)
		}
		odd := false
		for name, f := range fields {
			odd = odd || strings.ContainsAny(name+f.TS, "\u2028\u2029") || !utf8.ValidString(name+f.TS)
		}
		if !odd && !bytes.Equal(enc, legacy) {
			t.Fatalf("EncodeFields =\n%s\nwritten before as\n%s", enc, legacy)
		}
		back, err := store.DecodeFields(enc)
		if err != nil {
			t.Fatalf("DecodeFields(%s): %v", enc, err)
		}
		sameFields(t, "DecodeFields of EncodeFields", back, want)
	}
}

func TestDecodeFieldsRefuses(t *testing.T) {
	for _, bad := range []string{``, `{`, `{"a":{"value":,"ts":"x"}}`, `[1]`, `{"a":1}`} {
		if _, err := store.DecodeFields([]byte(bad)); err == nil {
			t.Errorf("DecodeFields(%s) accepted it", bad)
		}
	}
}

// TestStoredDoc checks that a stored document decodes to its fields, that
// nil fields are stored as an empty object and a value without bytes as
// null (as encoding/json wrote them), and that a value that is not JSON is
// refused.
func TestStoredDoc(t *testing.T) {
	fields, err := store.EncodeFields(nil)
	if err != nil || string(fields) != "{}" {
		t.Fatalf("EncodeFields(nil) = %s, %v; want {}", fields, err)
	}
	fields, err = store.EncodeFields(map[string]sync.Field{"a": {TS: "t"}})
	if err != nil || string(fields) != `{"a":{"value":null,"ts":"t"}}` {
		t.Fatalf("EncodeFields(empty value) = %s, %v; want null", fields, err)
	}
	for _, bad := range []string{`1 2`, `{"a":1,"a":2}`, `[1,`, `1,"b":{"value":2`} {
		if fields, err := store.EncodeFields(map[string]sync.Field{"a": {Value: []byte(bad), TS: "t"}}); err == nil {
			t.Errorf("EncodeFields(value %s) = %s, want an error", bad, fields)
		}
	}
	d, err := store.StoredDoc{ID: "s1", Type: "session", Fields: []byte(`{"note":{"value":"x","ts":"t"}}`)}.Doc()
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != "s1" || d.Type != "session" || string(d.Fields["note"].Value) != `"x"` || d.Fields["note"].TS != "t" {
		t.Errorf("Doc() = %+v", d)
	}
	if _, err := (store.StoredDoc{ID: "s2", Fields: []byte(`{`)}).Doc(); err == nil || !strings.Contains(err.Error(), "s2") {
		t.Errorf("Doc() of bad fields: err = %v, want one naming the document", err)
	}
}

// TestFieldsWriter: a pushed document whose fields arrived in their stored
// form is kept as sent, without a copy; one that arrived in another form
// (names out of order, "ts" before "value", spaces, escapes the stored
// form does not use) or was changed after decoding is encoded afresh. The
// bytes are EncodeFields' either way.
func TestFieldsWriter(t *testing.T) {
	const ts = "0000019c9e4f1a40-0000-phone"
	bodies := map[string]bool{ // the fields object as sent → sent in stored form
		`{"durationMin":{"value":1,"ts":"` + ts + `"},"note":{"value":"x","ts":"` + ts + `"}}`:      true,
		`{"note":{"value":"x","ts":"` + ts + `"},"durationMin":{"value":1,"ts":"` + ts + `"}}`:      false,
		`{"durationMin":{"ts":"` + ts + `","value":1},"note":{"value":"x","ts":"` + ts + `"}}`:      false,
		`{"durationMin":{"value":1,"ts":"` + ts + `"}, "note":{"value":"x","ts":"` + ts + `"}}`:     false,
		`{"durationMin":{"value":1,"ts":"` + ts + `"},"note":{"value":"\u0078","ts":"` + ts + `"}}`: false,
		`{"durationMi\u006e":{"value":1,"ts":"` + ts + `"},"note":{"value":"x","ts":"` + ts + `"}}`: false,
	}
	var w store.FieldsWriter
	for fields, stored := range bodies {
		body := `{"batchId":"b1","docs":[{"id":"s1","type":"session","fields":` + fields + `}]}`
		req, err := sync.DecodePushRequest([]byte(body), training.Schema{})
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		d := req.Docs[0]
		if string(d.SentFields) != fields {
			t.Fatalf("SentFields = %s, want %s", d.SentFields, fields)
		}
		want, err := store.EncodeFields(d.Fields)
		if err != nil {
			t.Fatal(err)
		}
		got, err := w.Stored(d)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: stored %s, want %s", fields, got, want)
		}
		if kept := &got[0] == &d.SentFields[0]; kept != stored {
			t.Errorf("%s: kept as sent = %v, want %v", fields, kept, stored)
		}
		d.Fields["durationMin"] = sync.Field{Value: []byte("2"), TS: ts} // changed after decoding
		got, err = w.Stored(d)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := store.EncodeFields(d.Fields); !bytes.Equal(got, want) || &got[0] == &d.SentFields[0] {
			t.Errorf("%s, changed: stored %s, want a fresh %s", fields, got, want)
		}
	}
}
