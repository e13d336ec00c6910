package sqlitestore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/internal/apitest"
	"github.com/hit4x4/dagbok/sync"
)

// The HTTP benchmarks put the whole server path — routing, auth, body
// limits, strict decoding, validation, skew check, the store and the JSON
// answer — against the store's raw SQL, in one process and one run.

// benchAPI serves the API on s over loopback HTTP and returns its base URL,
// an HTTP client and the access token and scope of a fresh patient.
func benchAPI(b *testing.B, s *Store) (base string, c *http.Client, token, scope string) {
	b.Helper()
	h, err := api.New(api.Config{Store: s, Secret: bytes.Repeat([]byte("k"), 32)})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	// Keep a connection per concurrent client (the default keeps two).
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	c = &http.Client{Transport: tr}
	token, scope = benchLogin(b, c, srv.URL, "bench@example.no")
	return srv.URL, c, token, scope
}

// benchLogin registers another patient and returns their access token and
// scope.
func benchLogin(b *testing.B, c *http.Client, base, email string) (token, scope string) {
	b.Helper()
	client := &apitest.Client{Base: base, HTTP: c}
	var reg struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	client.Must(b, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/register",
		Body: map[string]string{"email": email, "password": "benchmark password", "name": "Bench"}}, http.StatusCreated, &reg)
	var login struct {
		AccessToken string `json:"accessToken"`
	}
	client.Must(b, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login",
		Body: map[string]string{"email": email, "password": "benchmark password"}}, http.StatusOK, &login)
	return login.AccessToken, reg.User.ID
}

// post sends one timed request: unlike apitest.Client, it reads the
// answer into a reused buffer, so the client's allocations stay out of
// the server's figures.
func post(c *http.Client, url, token string, body []byte, want int, out any) error {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return roundTrip(c, req, want, out)
}

func roundTrip(c *http.Client, req *http.Request, want int, out any) error {
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if buf, ok := out.(*bytes.Buffer); ok && res.StatusCode == want {
		// The whole answer, read off the socket into a reused buffer:
		// allocating a fresh copy of it is the client's cost, not the
		// server's.
		buf.Reset()
		_, err := buf.ReadFrom(res.Body)
		return err
	}
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, res.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// BenchmarkHTTPPushVsRaw alternates one raw batch (the upsert and log SQL of
// a push, 100 documents, no merge, no HTTP) with one sync push of 100 new
// documents over loopback HTTP, and reports both rates and their ratio
// (target ≥ 0.8). Request bodies are encoded before timing, as the raw
// side's rows are: what a phone spends encoding is not the server's cost.
func BenchmarkHTTPPushVsRaw(b *testing.B) {
	rawStore, apiStore := benchStore(b), benchStore(b)
	base, c, token, scope := benchAPI(b, apiStore)
	ctx := context.Background()
	var raw, op spent
	b.ResetTimer()
	for i := range b.N {
		docs := benchBatchDocs(b, i)
		rows := benchRows(b, docs)
		body, err := json.Marshal(sync.PushRequest{BatchID: fmt.Sprint("batch-", i), Docs: docs})
		if err != nil {
			b.Fatal(err)
		}
		rawStep := func() error { return rawBatch(ctx, rawStore, scope, int64(i*benchBatch+1), rows) }
		pushStep := func() error {
			return post(c, base+"/api/v1/sync/push", token, body, http.StatusOK, nil)
		}
		dropSetupGarbage()
		alternate(b, i, &raw, &op, rawStep, pushStep)
	}
	reportPush(b, b.N*benchBatch, "http-push-docs/s", raw, op)
}

// BenchmarkHTTPPushConcurrentVsRaw is BenchmarkHTTPPushVsRaw with
// pushClients phones pushing at once, each with its own account and
// connection (see roundBatches and rawRound). Each round, the raw side
// writes every client's batches one after the other; the HTTP side sends
// them as pushes of 100 new documents, each client its own in turn, all
// clients at once, and waits for every answer. It reports both rates and
// their ratio.
func BenchmarkHTTPPushConcurrentVsRaw(b *testing.B) {
	rawStore, apiStore := benchStore(b), benchStore(b)
	base, c, _, _ := benchAPI(b, apiStore)
	tokens := make([]string, pushClients)
	scopes := make([]string, pushClients)
	for k := range tokens {
		tokens[k], scopes[k] = benchLogin(b, c, base, fmt.Sprintf("phone%d@example.no", k))
	}
	ctx := context.Background()
	var raw, op spent
	b.ResetTimer()
	for i := range b.N {
		batches, rows := roundBatches(b, i)
		bodies := make([][][]byte, pushClients)
		for k := range batches {
			for j, docs := range batches[k] {
				body, err := json.Marshal(sync.PushRequest{BatchID: fmt.Sprint("batch-", i, "-", j), Docs: docs})
				if err != nil {
					b.Fatal(err)
				}
				bodies[k] = append(bodies[k], body)
			}
		}
		rawStep := func() error { return rawRound(ctx, rawStore, i, scopes, rows) }
		pushStep := func() error {
			return onEachClient(func(k int) error {
				for _, body := range bodies[k] {
					if err := post(c, base+"/api/v1/sync/push", tokens[k], body, http.StatusOK, nil); err != nil {
						return err
					}
				}
				return nil
			})
		}
		dropSetupGarbage()
		alternate(b, i, &raw, &op, rawStep, pushStep)
	}
	reportPush(b, b.N*pushClients*pushBatches*benchBatch, "http-push-docs/s", raw, op)
}

// BenchmarkHTTPPullVsRaw alternates the raw indexed read of a year of
// sessions (150) with a pull of the same documents over loopback HTTP, and
// reports the time ratio (target ≤ 2).
func BenchmarkHTTPPullVsRaw(b *testing.B) {
	s := benchStore(b)
	base, c, token, scope := benchAPI(b, s)
	seed := benchYear(b)
	ctx := context.Background()
	year, err := seed.Docs(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Push(ctx, scope, "year", year); err != nil {
		b.Fatal(err)
	}
	rawStep := func() error {
		rows, err := s.pull.QueryContext(ctx, scope, 0, 201)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			var key, horizon int64
			var id, typ []byte
			var fields []byte
			if err := rows.Scan(&key, &horizon, &id, &typ, &fields); err != nil {
				return err
			}
			n++
		}
		if n < yearDocs {
			return fmt.Errorf("raw read found %d rows", n)
		}
		return rows.Close()
	}
	// The pull is checked once; timed rounds read the answer without
	// decoding it, as the raw side scans rows without decoding them.
	var answer bytes.Buffer
	pull := func(out any) error {
		req, err := http.NewRequest(http.MethodGet, base+"/api/v1/sync/pull?limit=200", nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		return roundTrip(c, req, http.StatusOK, out)
	}
	var check sync.PullResponse
	if err := pull(&check); err != nil {
		b.Fatal(err)
	}
	if len(check.Docs) != yearDocs {
		b.Fatalf("pulled %d documents, want %d", len(check.Docs), yearDocs)
	}
	pullStep := func() error { return pull(&answer) }
	var raw, op spent
	b.ResetTimer()
	for i := range b.N {
		alternate(b, i, &raw, &op, rawStep, pullStep)
	}
	reportPull(b, b.N*yearDocs, "http-pull-docs/s", raw, op)
}
