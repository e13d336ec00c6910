package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/store/sqlitestore"
	"github.com/hit4x4/dagbok/sync"
)

// device is one simulated phone of one patient.
type device struct {
	i       int
	hc      *http.Client // its own connection
	userID  string
	refresh string // the seeded session's refresh token
	access  string
	cursor  string
	pushed  map[string]bool     // documents the server acknowledged
	docs    map[string]sync.Doc // the documents pulled, newest state each
}

// seed creates, in the SQLite file at path, one patient per device and a
// signed-in session for each (as a sign-in would: account.Sessions on the
// store), before the server opens the file. The patients share one real
// password hash: nobody signs in with it, and hashing 2,000 passwords
// would only slow the seeding.
func seed(ctx context.Context, path string, n int) ([]*device, error) {
	st, err := sqlitestore.Open(ctx, sqlitestore.Config{Path: path})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	h, err := account.NewHasher(account.DefaultArgon2(), 1, rand.Reader)
	if err != nil {
		return nil, err
	}
	hash, err := h.Hash(ctx, "load test password")
	if err != nil {
		return nil, err
	}
	sessions := account.NewSessions(st, time.Now, rand.Reader, 0)
	now := time.Now().UTC()
	devs := make([]*device, n)
	for i := range devs {
		id := fmt.Sprintf("load%05d", i)
		if err := st.CreateUser(ctx, store.User{ID: id, Email: id + "@example.org", PasswordHash: hash, Name: fmt.Sprint("Load ", i),
			Role: store.RolePatient, TimeZone: account.DefaultTimeZone, Language: "nb", CreatedAt: now, UpdatedAt: now}); err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
		raw, err := sessions.Start(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
		devs[i] = &device{i: i, userID: id, refresh: raw, cursor: "0", pushed: map[string]bool{}, docs: map[string]sync.Doc{}}
	}
	return devs, nil
}

// signIn trades the seeded refresh token for an access token, as the app
// does when it opens.
func (d *device) signIn(ctx context.Context, base string, rec *recorder) {
	t0 := time.Now()
	out, err := d.call(ctx, base, http.MethodPost, "/api/v1/auth/refresh", nil, func(r *http.Request) {
		r.Header.Set(api.CSRFHeader, api.CSRFValue)
		// On a loopback host the browser keeps the Secure __Host- cookie.
		r.AddCookie(&http.Cookie{Name: "__Host-dagbok_refresh", Value: d.refresh})
	})
	if err == nil {
		var tr struct {
			AccessToken string `json:"accessToken"`
		}
		if err = json.Unmarshal(out, &tr); err == nil && tr.AccessToken == "" {
			err = fmt.Errorf("no access token in %s", out)
		}
		d.access = tr.AccessToken
	}
	rec.add("refresh", time.Since(t0), err)
}

// run pushes 3 new documents and pulls once per period from first until
// deadline.
func (d *device) run(ctx context.Context, base string, first time.Time, every time.Duration, deadline time.Time, rec *recorder) {
	node := fmt.Sprintf("dev%d", d.i)
	if !sleepUntil(ctx, first) {
		return
	}
	next := first
	for n := 0; time.Now().Before(deadline); n++ {
		docs := make([]map[string]any, 3)
		ids := make([]string, len(docs))
		for j := range docs {
			ts := sync.Timestamp{Wall: time.Now().UnixMilli(), Counter: uint16(j), Node: node}.String()
			ids[j] = fmt.Sprintf("%s-%d-%d", node, n, j)
			docs[j] = map[string]any{"id": ids[j], "type": "session", "fields": map[string]any{
				"protocol": map[string]any{"value": "4x4", "ts": ts}, "durationMin": map[string]any{"value": 38, "ts": ts},
				"sessionRpe": map[string]any{"value": 7, "ts": ts}, "note": map[string]any{"value": "Lett i dag", "ts": ts}}}
		}
		t0 := time.Now()
		_, err := d.call(ctx, base, http.MethodPost, "/api/v1/sync/push", map[string]any{"batchId": batchID(), "docs": docs}, nil)
		rec.add("push", time.Since(t0), err)
		if err == nil {
			for _, id := range ids {
				d.pushed[id] = true
			}
		}
		t0 = time.Now()
		_, err = d.pull(ctx, base)
		rec.addPull(time.Since(t0), t0.Sub(next), err)
		if every > 0 {
			next = next.Add(every)
			if !sleepUntil(ctx, next) {
				return
			}
		}
	}
}

// sleepUntil waits until t, or reports false when ctx ends first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	select {
	case <-time.After(time.Until(t)):
		return true
	case <-ctx.Done():
		return false
	}
}

// catchUp pulls until the server says nothing more follows.
func (d *device) catchUp(ctx context.Context, base string, rec *recorder) {
	for range 1000 {
		t0 := time.Now()
		more, err := d.pull(ctx, base)
		rec.add("final pull", time.Since(t0), err)
		if err != nil || !more {
			return
		}
	}
}

// pull reads the next page after the device's cursor and keeps its
// documents.
func (d *device) pull(ctx context.Context, base string) (more bool, err error) {
	out, err := d.call(ctx, base, http.MethodGet, "/api/v1/sync/pull?cursor="+d.cursor, nil, nil)
	if err != nil {
		return false, err
	}
	var page sync.PullResponse
	if err := json.Unmarshal(out, &page); err != nil {
		return false, err
	}
	for _, doc := range page.Docs {
		d.docs[doc.ID] = doc
	}
	if page.Cursor != "" {
		d.cursor = page.Cursor
	}
	return page.More, nil
}

// call sends one request from the device's own client address (a
// loopback proxy's X-Forwarded-For) with its access token, and expects
// 200.
func (d *device) call(ctx context.Context, base, method, path string, body any, edit func(*http.Request)) ([]byte, error) {
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
	if d.access != "" {
		req.Header.Set("Authorization", "Bearer "+d.access)
	}
	req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", d.i>>16&255, d.i>>8&255, d.i&255))
	if edit != nil {
		edit(req)
	}
	res, err := d.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, out)
	}
	return out, nil
}

func batchID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// converged opens the stopped server's SQLite file and compares, for
// every device, the documents it pulled with its patient's documents in
// the store, and checks that every push the server acknowledged is there.
func converged(ctx context.Context, path string, devs []*device, rep *Report) error {
	st, err := sqlitestore.Open(ctx, sqlitestore.Config{Path: path})
	if err != nil {
		return err
	}
	defer st.Close()
	for _, d := range devs {
		docs, err := st.Docs(ctx, d.userID)
		if err != nil {
			return err
		}
		if why := compare(d, docs); why != "" {
			rep.Diverged = append(rep.Diverged, fmt.Sprintf("device %d: %s", d.i, why))
			continue
		}
		rep.Converged++
	}
	return nil
}

// compare says how the device's documents differ from the store's, or "".
func compare(d *device, stored []sync.Doc) string {
	if len(stored) != len(d.docs) {
		return fmt.Sprintf("pulled %d documents, the store holds %d", len(d.docs), len(stored))
	}
	for _, s := range stored {
		got, ok := d.docs[s.ID]
		if !ok {
			return fmt.Sprintf("never pulled %s", s.ID)
		}
		a, err1 := json.Marshal(got) // compacts the raw values alike
		b, err2 := json.Marshal(s)
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			return fmt.Sprintf("%s pulled as %s, stored as %s", s.ID, a, b)
		}
	}
	for id := range d.pushed {
		if _, ok := d.docs[id]; !ok {
			return "acknowledged push of " + id + " is not in the store"
		}
	}
	return ""
}
