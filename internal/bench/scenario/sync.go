package scenario

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/hit4x4/dagbok/internal/bench"
	"github.com/hit4x4/dagbok/sync"
)

// Round returns round i of a concurrent push comparison: docs[k][j] is the
// j-th batch phone k pushes, and rows the same batches encoded for the raw
// side of raw.
func Round(b testing.TB, raw Store, i, phones, batches int) (docs [][][]sync.Doc, rows [][]any) {
	docs = make([][][]sync.Doc, phones)
	rows = make([][]any, phones)
	for k := range phones {
		for j := range batches {
			d := bench.Batch(b, (i*batches+j)*phones+k)
			r, err := raw.EncodeRaw(d)
			if err != nil {
				b.Fatal(err)
			}
			docs[k] = append(docs[k], d)
			rows[k] = append(rows[k], r)
		}
	}
	return docs, rows
}

// RawRound writes round i's rows the raw way: each batch in a transaction
// of its own, into the scope of the phone that pushes it, with the
// sequence numbers the push gives it.
func RawRound(ctx context.Context, s Store, i int, scopes []string, rows [][]any) error {
	batches := len(rows[0])
	for j := range batches {
		for k := range scopes {
			first := int64((i*batches+j)*bench.BatchSize + 1)
			if err := s.WriteRaw(ctx, scopes[k], first, rows[k][j]); err != nil {
				return err
			}
		}
	}
	return nil
}

// OnEach runs f for k = 0…n-1 at once and returns the first error: the
// phones run through a round independently, as phones do, so the writer
// is rarely left waiting for a straggler.
func OnEach(n int, f func(k int) error) error {
	errs := make(chan error, n)
	for k := range n {
		go func() { errs <- f(k) }()
	}
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// HTTPPush alternates, round by round, the raw write of phones × batches
// batches of 100 new documents (the upsert and log SQL of a push, one
// batch after the other, no merge, no HTTP) with the same batches sent as
// sync pushes over loopback HTTP by phones patients at once, each with its
// own account and connection, each its own batches in turn. Request bodies
// are encoded before timing, as the raw side's rows are: what a phone
// spends encoding is not the server's cost. Ratio push/raw: push rate ÷
// raw rate (target ≥ 0.8).
func HTTPPush(phones, batches int) func(b *testing.B) {
	return HTTPPushOn(SQLite, phones, batches)
}

// HTTPPushOn is HTTPPush on the stores open opens.
func HTTPPushOn(open Opener, phones, batches int) func(b *testing.B) {
	return func(b *testing.B) {
		rawStore, apiStore := open(b), open(b)
		base, c := serve(b, apiStore)
		tokens := make([]string, phones)
		scopes := make([]string, phones)
		for k := range tokens {
			tokens[k], scopes[k] = login(b, c, base, fmt.Sprintf("phone%d@example.no", k))
		}
		ctx := context.Background()
		var raw, op bench.Spent
		b.ResetTimer()
		for i := range b.N {
			docs, rows := Round(b, rawStore, i, phones, batches)
			bodies := make([][][]byte, phones)
			for k := range docs {
				for j, d := range docs[k] {
					body, err := json.Marshal(sync.PushRequest{BatchID: fmt.Sprint("batch-", i, "-", j), Docs: d})
					if err != nil {
						b.Fatal(err)
					}
					bodies[k] = append(bodies[k], body)
				}
			}
			rawStep := func() error { return RawRound(ctx, rawStore, i, scopes, rows) }
			pushStep := func() error {
				return OnEach(phones, func(k int) error {
					for _, body := range bodies[k] {
						if err := post(c, base+"/api/v1/sync/push", tokens[k], body); err != nil {
							return err
						}
					}
					return nil
				})
			}
			bench.DropSetupGarbage()
			bench.Alternate(b, i, &raw, &op, rawStep, pushStep)
		}
		bench.ReportRates(b, b.N*phones*batches*bench.BatchSize, "http-push-docs/s", "push/raw", raw, op)
	}
}

// HTTPPull alternates the raw indexed read of a year of sessions
// (bench.YearDocs) with a pull of the same documents over loopback HTTP.
// The pull is checked once; timed rounds read the answer off the socket
// without decoding it, as the raw side scans rows without decoding them.
// Ratio pull/raw: pull time ÷ raw time (target ≤ 2).
func HTTPPull(b *testing.B) { HTTPPullOn(SQLite)(b) }

// HTTPPullOn is HTTPPull on the stores open opens.
func HTTPPullOn(open Opener) func(b *testing.B) {
	return func(b *testing.B) { httpPull(b, open(b)) }
}

func httpPull(b *testing.B, s Store) {
	base, c := serve(b, s)
	token, scope := login(b, c, base, "bench@example.no")
	ctx := context.Background()
	for i, batch := range bench.Year(b) {
		if _, err := s.Push(ctx, scope, fmt.Sprint("year-", i), batch); err != nil {
			b.Fatal(err)
		}
	}
	rawStep := func() error {
		n, err := s.RawRead(ctx, scope, 200)
		if err == nil && n < bench.YearDocs {
			err = fmt.Errorf("raw read found %d rows", n)
		}
		return err
	}
	var answer bytes.Buffer
	pull := func(into *bytes.Buffer) error {
		req, err := http.NewRequest(http.MethodGet, base+"/api/v1/sync/pull?limit=200", nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		return roundTrip(c, req, into)
	}
	if err := pull(&answer); err != nil {
		b.Fatal(err)
	}
	var check sync.PullResponse
	if err := json.Unmarshal(answer.Bytes(), &check); err != nil {
		b.Fatal(err)
	}
	if len(check.Docs) != bench.YearDocs {
		b.Fatalf("pulled %d documents, want %d", len(check.Docs), bench.YearDocs)
	}
	pullStep := func() error { return pull(&answer) }
	var raw, op bench.Spent
	b.ResetTimer()
	for i := range b.N {
		bench.Alternate(b, i, &raw, &op, rawStep, pullStep)
	}
	bench.ReportTimes(b, "pull/raw", raw, op)
}

// post sends one push and expects 200.
func post(c *http.Client, url, token string, body []byte) error {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	return roundTrip(c, req, nil)
}

// roundTrip sends req, expects 200 and reads the whole answer off the
// socket into into (reused between rounds: allocating a fresh copy of it
// is the client's cost, not the server's), or discards it when into is nil.
func roundTrip(c *http.Client, req *http.Request, into *bytes.Buffer) error {
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(res.Body)
		return fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, res.StatusCode, data)
	}
	if into == nil {
		_, err = io.Copy(io.Discard, res.Body)
		return err
	}
	into.Reset()
	_, err = into.ReadFrom(res.Body)
	return err
}
