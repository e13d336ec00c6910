package sync_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/hit4x4/dagbok/sync"
)

// FuzzDecodePushRequest: any input either decodes to a request that holds
// only valid, canonical documents and survives a marshal/decode round trip
// unchanged, or fails with one of the documented errors. Seeds are in
// testdata/fuzz/FuzzDecodePushRequest.
func FuzzDecodePushRequest(f *testing.F) {
	f.Add([]byte(body(sessionJSON("s1", `"note":{"value":"x","ts":"`+ts1+`"}`))))
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := sync.DecodePushRequest(data)
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
			if err := sync.Validate(d); err != nil {
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
		req2, err := sync.DecodePushRequest(again)
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
