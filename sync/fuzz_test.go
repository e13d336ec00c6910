package sync_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/training"
)

// FuzzDecodePushRequest: any input either decodes to a request that holds
// only valid, canonical documents and survives a marshal/decode round trip
// unchanged, or fails with one of the documented errors. Seeds are in
// testdata/fuzz/FuzzDecodePushRequest.
func FuzzDecodePushRequest(f *testing.F) {
	f.Add([]byte(body(sessionJSON("s1", `"note":{"value":"x","ts":"`+ts1+`"}`))))
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := sync.DecodePushRequest(data, training.Schema{})
		var de *sync.DecodeError
		var ve sync.ValidationErrors
		switch {
		case err == nil:
		case errors.As(err, &de):
			if req.BatchID != "" || req.Docs != nil {
				t.Fatalf("request returned with a DecodeError")
			}
			return
		case errors.As(err, &ve):
			if len(ve) == 0 {
				t.Fatal("empty ValidationErrors")
			}
			for _, e := range ve {
				if e.Reason == "" {
					t.Fatalf("ValidationError without a reason: %+v", e)
				}
			}
		case errors.Is(err, sync.ErrTooManyDocs), errors.Is(err, sync.ErrTooLarge):
			return
		default:
			t.Fatalf("undocumented error %T: %v", err, err)
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON")
		}
		if len(req.Docs) > sync.MaxPushDocs || req.BatchID == "" {
			t.Fatalf("bad request accepted: %d docs, batch %q", len(req.Docs), req.BatchID)
		}
		seen := map[string]bool{}
		for _, d := range req.Docs {
			if err := training.Validate(d); err != nil {
				t.Fatalf("invalid document returned: %v", err)
			}
			if seen[d.ID] {
				t.Fatalf("document %q returned twice", d.ID)
			}
			seen[d.ID] = true
			for name, fl := range d.Fields {
				c, err := sync.CanonicalValue(fl.Value)
				if err != nil || !bytes.Equal(c, fl.Value) {
					t.Fatalf("%s.%s not canonical: %q", d.ID, name, fl.Value)
				}
			}
		}
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		req2, err := sync.DecodePushRequest(again, training.Schema{})
		if err != nil || req2.BatchID != req.BatchID || len(req2.Docs) != len(req.Docs) {
			t.Fatalf("round trip: %v", err)
		}
		for i := range req.Docs {
			if !req2.Docs[i].Equal(req.Docs[i]) {
				t.Fatalf("round trip changed doc %d: %s → %s", i, docString(req.Docs[i]), docString(req2.Docs[i]))
			}
		}
	})
}

// FuzzCanonicalValue checks the parser against encoding/json: whatever
// CanonicalValue accepts, encoding/json accepts and reads as the same value;
// whatever encoding/json accepts, CanonicalValue accepts unless it repeats
// a key, nests too deeply or holds a number beyond float64; and the result
// is a fixed point, and the bytes encoding/json writes for the same value.
func FuzzCanonicalValue(f *testing.F) {
	var v canonicalVectors
	data, err := os.ReadFile(filepath.Join("testdata", "canonical.json"))
	if err != nil {
		f.Fatal(err)
	}
	if err := json.Unmarshal(data, &v); err != nil {
		f.Fatal(err)
	}
	for _, c := range v.Valid {
		f.Add([]byte(c.Input))
	}
	for _, c := range v.Invalid {
		f.Add([]byte(c.Input))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := sync.CanonicalValue(raw)
		var std any
		stdErr := json.Unmarshal(raw, &std)
		if err != nil {
			if stdErr == nil && !errors.Is(err, jsontext.ErrDuplicateName) && !strings.Contains(err.Error(), "nested") {
				t.Fatalf("CanonicalValue(%q) = %v, encoding/json accepts it", raw, err)
			}
			return
		}
		if stdErr != nil {
			t.Fatalf("CanonicalValue(%q) = %q, encoding/json says %v", raw, got, stdErr)
		}
		var back any
		if err := json.Unmarshal(got, &back); err != nil || !reflect.DeepEqual(back, std) {
			t.Fatalf("CanonicalValue(%q) = %q reads back as %#v, want %#v (%v)", raw, got, back, std, err)
		}
		again, err := sync.CanonicalValue(got)
		if err != nil || !bytes.Equal(again, got) {
			t.Fatalf("not a fixed point: %q → %q (%v)", got, again, err)
		}
		if std, err := json.Marshal(positiveZero(std)); err == nil && !bytes.Equal(std, got) {
			t.Fatalf("json.Marshal gives %q, CanonicalValue %q", std, got)
		}
	})
}

// positiveZero turns every negative zero in v, as encoding/json decodes it,
// into 0: encoding/json writes a negative zero (also one a tiny negative
// number underflows to) as -0, the canonical form as 0.
func positiveZero(v any) any {
	switch v := v.(type) {
	case float64:
		if v == 0 {
			return 0.0
		}
	case []any:
		for i := range v {
			v[i] = positiveZero(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = positiveZero(v[k])
		}
	}
	return v
}
