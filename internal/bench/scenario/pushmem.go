package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/internal/bench"
	"github.com/hit4x4/dagbok/sync"
)

// LargePushDocs and largeNote make the largest push a phone sends: the
// most documents a push may carry, each a session with a long note,
// together just under sync.MaxPushBytes.
const LargePushDocs = sync.MaxPushDocs

// largeNote is a note of 1,364 bytes (1,320 characters, Norwegian letters
// among them; the schema allows 2,000).
var largeNote = strings.Repeat("Fire drag på 4 min, god flyt; ", 44)

// LargePush returns push i's body: LargePushDocs new sessions with long
// notes. In stored form, each document's fields are as encoding/json
// writes them (names in order, "value" before "ts"), the form the store
// keeps; otherwise "ts" comes before "value", so that the server cannot
// keep them as sent (any client may send either).
func LargePush(tb testing.TB, i int, storedForm bool) []byte {
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	note, err := json.Marshal(largeNote)
	if err != nil {
		tb.Fatal(err)
	}
	docs := make([]sync.Doc, LargePushDocs)
	for j := range docs {
		d := bench.Session(tb, fmt.Sprintf("big-%06d-%03d", i, j), wall+int64(i*LargePushDocs+j))
		f := d.Fields["note"]
		f.Value = note
		d.Fields["note"] = f
		docs[j] = d
	}
	var req any = sync.PushRequest{BatchID: fmt.Sprint("big-", i), Docs: docs}
	if !storedForm {
		type field struct {
			TS    string          `json:"ts"`
			Value json.RawMessage `json:"value"`
		}
		type doc struct {
			ID     string           `json:"id"`
			Type   string           `json:"type"`
			Fields map[string]field `json:"fields"`
		}
		other := make([]doc, len(docs))
		for j, d := range docs {
			other[j] = doc{ID: d.ID, Type: d.Type, Fields: map[string]field{}}
			for name, f := range d.Fields {
				other[j].Fields[name] = field{TS: f.TS, Value: f.Value}
			}
		}
		req = struct {
			BatchID string `json:"batchId"`
			Docs    []doc  `json:"docs"`
		}{fmt.Sprint("big-", i), other}
	}
	body, err := json.Marshal(req)
	if err != nil {
		tb.Fatal(err)
	}
	if len(body) > sync.MaxPushBytes {
		tb.Fatalf("push body of %d bytes, over the limit", len(body))
	}
	return body
}

// PushMemory sends large pushes (LargePush, in stored form or not) one at
// a time through the API's handler, called in the process (no client, no
// socket), on a fresh SQLite store, and reports what the server allocates
// for one: bytes allocated on the Go heap per push divided by the body's
// size ("alloc/body"), the body's size ("body-B") and allocations per
// push ("allocs/push"). Not a timed comparison: what it measures is the
// memory a push holds, which bounds how many can run at once.
func PushMemory(storedForm bool) func(b *testing.B) {
	return func(b *testing.B) { pushMemory(b, storedForm) }
}

func pushMemory(b *testing.B, storedForm bool) {
	s := OpenSQLite(b)
	h, err := api.New(api.Config{Store: s, Secret: bytes.Repeat([]byte("k"), 32)})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	token, _ := login(b, srv.Client(), srv.URL, "large@example.no")
	var allocated, mallocs, bodyBytes uint64
	var before, after runtime.MemStats
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		body := LargePush(b, i, storedForm)
		req := httptest.NewRequest(http.MethodPost, "/api/v1/sync/push", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		h.ServeHTTP(rec, req)
		b.StopTimer()
		runtime.ReadMemStats(&after)
		if rec.Code != http.StatusOK {
			b.Fatalf("push %d: %d %s", i, rec.Code, rec.Body)
		}
		allocated += after.TotalAlloc - before.TotalAlloc
		mallocs += after.Mallocs - before.Mallocs
		bodyBytes += uint64(len(body))
		b.StartTimer()
	}
	b.ReportMetric(float64(allocated)/float64(bodyBytes), "alloc/body")
	b.ReportMetric(float64(bodyBytes)/float64(b.N), "body-B")
	b.ReportMetric(float64(mallocs)/float64(b.N), "allocs/push")
}
