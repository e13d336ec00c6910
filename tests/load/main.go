// Command load is the bounded load test of the sync API: it serves the API
// on a fresh SQLite store in a temporary folder on loopback, with the
// production limits, signs in a number of simulated devices (each its own
// patient, each from its own client address through a trusted proxy
// header), and has every device push 3 documents and pull once per period
// for a fixed time. It prints the request rate, the errors and the
// latency percentiles of pushes and pulls, and exits 1 when any request
// failed or a p99 is 10 times its p50 or more.
//
//	go run ./tests/load -devices 200 -duration 60s
//
// docs/benchmarks.md records its figures.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	gosync "sync"
	"time"

	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/store/sqlitestore"
	"github.com/hit4x4/dagbok/sync"
)

func main() {
	devices := flag.Int("devices", 200, "simulated devices, each its own patient")
	duration := flag.Duration("duration", 60*time.Second, "how long every device pushes and pulls")
	every := flag.Duration("every", time.Second, "each device pushes and pulls once per this period (0: as fast as it can)")
	flag.Parse()
	if err := run(*devices, *duration, *every); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(devices int, duration, every time.Duration) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "dagbok-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := sqlitestore.Open(ctx, sqlitestore.Config{Path: filepath.Join(dir, "app.db")})
	if err != nil {
		return err
	}
	defer st.Close()
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	handler, err := api.New(api.Config{Store: st, Secret: secret,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: devices}}

	fmt.Printf("signing in %d devices…\n", devices)
	tokens := make([]string, devices)
	var wg gosync.WaitGroup
	errs := make(chan error, devices)
	sem := make(chan struct{}, 8)
	for i := range devices {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			tok, err := signUp(ctx, hc, base, i)
			tokens[i] = tok
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}

	fmt.Printf("%d devices, one push of 3 documents and one pull every %v each, for %v…\n", devices, every, duration)
	var rec recorder
	start := time.Now()
	deadline := start.Add(duration)
	for i := range devices {
		wg.Go(func() { device(ctx, hc, base, i, tokens[i], every, deadline, &rec) })
	}
	wg.Wait()
	return rec.report(time.Since(start))
}

// signUp registers and signs in device i's patient and returns its access
// token (valid for 15 minutes, longer than a run).
func signUp(ctx context.Context, hc *http.Client, base string, i int) (string, error) {
	email := fmt.Sprintf("load%d@example.org", i)
	body := map[string]string{"email": email, "password": "load test password", "name": fmt.Sprint("Load ", i)}
	if _, err := call(ctx, hc, base, http.MethodPost, "/api/v1/auth/register", "", i, body, http.StatusCreated); err != nil {
		return "", err
	}
	delete(body, "name")
	out, err := call(ctx, hc, base, http.MethodPost, "/api/v1/auth/login", "", i, body, http.StatusOK)
	if err != nil {
		return "", err
	}
	var tr struct {
		AccessToken string `json:"accessToken"`
	}
	if err := json.Unmarshal(out, &tr); err != nil {
		return "", err
	}
	return tr.AccessToken, nil
}

// device pushes and pulls once per period until deadline.
func device(ctx context.Context, hc *http.Client, base string, i int, token string, every time.Duration, deadline time.Time, rec *recorder) {
	node := fmt.Sprintf("dev%d", i)
	cursor := "0"
	next := time.Now()
	for n := 0; time.Now().Before(deadline); n++ {
		docs := make([]map[string]any, 3)
		for j := range docs {
			ts := sync.Timestamp{Wall: time.Now().UnixMilli(), Counter: uint16(j), Node: node}.String()
			docs[j] = map[string]any{"id": fmt.Sprintf("%s-%d-%d", node, n, j), "type": "session", "fields": map[string]any{
				"protocol": map[string]any{"value": "4x4", "ts": ts}, "durationMin": map[string]any{"value": 38, "ts": ts},
				"sessionRpe": map[string]any{"value": 7, "ts": ts}, "note": map[string]any{"value": "Lett i dag", "ts": ts}}}
		}
		t0 := time.Now()
		_, err := call(ctx, hc, base, http.MethodPost, "/api/v1/sync/push", token, i, map[string]any{"batchId": batchID(), "docs": docs}, http.StatusOK)
		rec.add("push", time.Since(t0), err)
		t0 = time.Now()
		out, err := call(ctx, hc, base, http.MethodGet, "/api/v1/sync/pull?cursor="+cursor, token, i, nil, http.StatusOK)
		rec.add("pull", time.Since(t0), err)
		if err == nil {
			var page struct {
				Cursor string `json:"cursor"`
			}
			if json.Unmarshal(out, &page) == nil && page.Cursor != "" {
				cursor = page.Cursor
			}
		}
		if every > 0 {
			next = next.Add(every)
			time.Sleep(time.Until(next))
		}
	}
}

// call sends one request from device i's own client address and checks
// the status.
func call(ctx context.Context, hc *http.Client, base, method, path, token string, i int, body any, want int) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != want {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, out)
	}
	return out, nil
}

func batchID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// recorder keeps every request's latency by kind, and the errors.
type recorder struct {
	mu     gosync.Mutex
	lat    map[string][]time.Duration
	errors []error
}

func (r *recorder) add(kind string, d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lat == nil {
		r.lat = map[string][]time.Duration{}
	}
	r.lat[kind] = append(r.lat[kind], d)
	if err != nil {
		r.errors = append(r.errors, err)
	}
}

// report prints the figures and fails on errors or a long tail.
func (r *recorder) report(elapsed time.Duration) error {
	total := 0
	for _, l := range r.lat {
		total += len(l)
	}
	fmt.Printf("%d requests in %.1f s: %.0f requests/s, %d errors\n", total, elapsed.Seconds(), float64(total)/elapsed.Seconds(), len(r.errors))
	var fail []error
	for _, kind := range []string{"push", "pull"} {
		l := r.lat[kind]
		slices.Sort(l)
		p := func(q float64) time.Duration { return l[min(len(l)-1, int(q*float64(len(l))))] }
		p50, p99 := p(0.50), p(0.99)
		fmt.Printf("%s: %d, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (p99/p50 %.1f)\n", kind, len(l),
			ms(p50), ms(p(0.90)), ms(p99), ms(l[len(l)-1]), float64(p99)/float64(p50))
		if p99 >= 10*p50 {
			fail = append(fail, fmt.Errorf("%s p99 %.1f ms is 10 × p50 (%.1f ms) or more", kind, ms(p99), ms(p50)))
		}
	}
	for i, err := range r.errors {
		if i == 5 {
			break
		}
		fmt.Println("error:", err)
	}
	if len(r.errors) > 0 {
		fail = append(fail, fmt.Errorf("%d requests failed", len(r.errors)))
	}
	return errors.Join(fail...)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
