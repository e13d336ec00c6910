package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
)

// TestLimiterRefund checks that a refunded token can be taken again, and
// that refunds never lift a bucket above its burst.
func TestLimiterRefund(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(Limit{Burst: 2, Every: time.Minute}, 10, func() time.Time { return now })
	l.Refund("unknown") // nothing to give back
	for i, want := range []bool{true, true, false} {
		if ok, _ := l.Allow("k"); ok != want {
			t.Fatalf("attempt %d: %v", i, ok)
		}
	}
	l.Refund("k")
	if ok, _ := l.Allow("k"); !ok {
		t.Fatal("the refunded token cannot be taken")
	}
	for range 5 {
		l.Refund("k")
	}
	for i, want := range []bool{true, true, false} {
		if ok, _ := l.Allow("k"); ok != want {
			t.Fatalf("after many refunds, attempt %d: %v (the burst is 2)", i, ok)
		}
	}
	if b := l.buckets["k"]; !b.fullAt.Equal(now.Add(2 * time.Minute)) {
		t.Errorf("an empty bucket is full at %v, want in 2 minutes", b.fullAt)
	}
}

// A full limiter sheds the bucket that will be full soonest and lets every
// new key in: a flood of keys never locks newcomers out.
func TestLimiterIsBoundedAndShedsTheFullest(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(Limit{Burst: 2, Every: time.Second}, 100, func() time.Time { return now })
	for i := range 1000 {
		for range 3 {
			l.Allow(fmt.Sprintf("ip-%d", i))
		}
	}
	if n := len(l.buckets); n > 100 {
		t.Fatalf("%d buckets kept, bound is 100", n)
	}
	for i, want := range []bool{true, true, false} {
		if ok, _ := l.Allow("k"); ok != want {
			t.Fatalf("new key on a full limiter, attempt %d: %v", i, ok)
		}
	}
	_, wait := l.Allow("k")
	if wait <= 0 || wait > time.Second {
		t.Fatalf("wait %v", wait)
	}
	now = now.Add(time.Second)
	if ok, _ := l.Allow("k"); !ok {
		t.Fatal("no token after refill")
	}
	if n := len(l.buckets); n > 100 {
		t.Fatalf("%d buckets kept, bound is 100", n)
	}
}

// A flood of keys that each take one try does not wipe a bucket that used
// up its whole burst: the flood's buckets are fuller, and go first.
func TestLimiterKeepsTheEmptiestBucket(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(Limit{Burst: 3, Every: time.Minute}, 50, func() time.Time { return now })
	for range 3 {
		l.Allow("victim@example.org")
	}
	if ok, _ := l.Allow("victim@example.org"); ok {
		t.Fatal("fourth attempt allowed")
	}
	admitted := 0
	for i := range 10_000 {
		now = now.Add(time.Millisecond)
		if ok, _ := l.Allow(fmt.Sprintf("spray-%d@example.org", i)); ok {
			admitted++
		}
		if i%1000 == 0 {
			if ok, _ := l.Allow("victim@example.org"); ok {
				t.Fatalf("victim's bucket forgotten after %d other keys", i)
			}
		}
	}
	if ok, _ := l.Allow("victim@example.org"); ok {
		t.Fatal("victim's bucket forgotten")
	}
	if n := len(l.buckets); n > 50 {
		t.Fatalf("%d buckets kept, bound is 50", n)
	}
	if admitted != 10_000 {
		t.Fatalf("%d spray keys admitted, want every one", admitted)
	}
}

func TestClientKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"203.0.113.7", "203.0.113.7"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"not an ip", "not an ip"},
	} {
		if got := clientKey(tc.in); got != tc.want {
			t.Errorf("clientKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Every status Echo produces maps to a code whose status is that status
// again, and every code has a status of its own except internal.
func TestErrorStatusTable(t *testing.T) {
	codes := []string{CodeInvalidJSON, CodeUnknownField, CodeInvalidRequest, CodeValidation,
		CodeUnauthorized, CodeInvalidCredentials, CodeWrongPassword, CodeInvalidRefresh, CodeForbidden, CodeNotFound,
		CodeMethodNotAllowed, CodeEmailTaken, CodeConflict, CodeClockSkew, CodeCursorExpired,
		CodePayloadTooLarge, CodeUnsupportedMedia, CodeRateLimited, CodeUnavailable}
	for _, c := range codes {
		if s := statusOf(c); s == 500 {
			t.Errorf("code %s has no status", c)
		}
	}
	if s := statusOf(CodeInternal); s != 500 {
		t.Errorf("internal: %d", s)
	}
	if s := statusOf("no such code"); s != 500 {
		t.Errorf("unknown code: %d", s)
	}
	for status := 400; status < 600; status++ {
		if code, ok := codeOfStatus(status); ok && statusOf(code) != status {
			t.Errorf("status %d → %s → %d", status, code, statusOf(code))
		}
	}
	if _, ok := codeOfStatus(418); ok {
		t.Error("418 has a code")
	}
	for _, c := range []account.Code{account.Invalid, account.EmailTaken, account.BadCredentials, account.WrongPassword,
		account.RefreshRefused, account.Forbidden, account.NotFound, account.Conflict} {
		if s := statusOf(accountCode(c)); s == 500 {
			t.Errorf("account code %s has no status", c)
		}
	}
}

// TestPullResponseEncoding checks that the pull answer is byte for byte
// what echo's JSON (encoding/json's Encoder) writes for sync.PullResponse,
// also for documents whose IDs, names, stamps and values hold characters
// that JSON escapes for HTML, and when the log entries it is written from
// hold a document more than once (its last entry stays, in its place).
func TestPullResponseEncoding(t *testing.T) {
	ts := "0000018d1e2f3a40-dev"
	doc := func(id, note string) sync.Doc {
		v, err := json.Marshal(note)
		if err != nil {
			t.Fatal(err)
		}
		return sync.Doc{ID: id, Type: "session", Fields: map[string]sync.Field{
			"note": {Value: v, TS: ts}, "durationMin": {Value: []byte(`38`), TS: ts},
			"intervals": {Value: []byte(`[{"hrPeak":172,"rpe":15}]`), TS: ts},
		}}
	}
	odd := sync.Doc{ID: "odd<&>", Type: "a&b", Fields: map[string]sync.Field{
		"a<b>&c":     {Value: []byte(`"x\u003cy"`), TS: ts + "<&>"},
		"line\u2028": {Value: []byte("\"sep\u2029\""), TS: ts},
		`q"uote`:     {Value: []byte(`[1,"\\"]`), TS: ts},
	}}
	tests := []struct {
		name       string
		docs       []sync.Doc // the log entries
		cursor     int64
		more       bool
		serverTime int64
	}{
		{"twice", []sync.Doc{doc("a", "first"), doc("b", "x<y"), doc("a", "second"), doc("c", "c"), doc("b", "last")}, 5, false, 3},
		{"twice in a row", []sync.Doc{doc("a", "first"), doc("a", "second")}, 2, true, 3},
		{"empty", nil, 0, false, 0},
		{"one", []sync.Doc{doc("a", "tung dag")}, 1, false, 1767225600000},
		{"more", []sync.Doc{doc("a", "x<y> & z"), doc("b-2", "æøå\u2028"), {ID: "c", Type: "plan"}}, 9223372036854775807, true, -1},
		{"escapes", []sync.Doc{odd, doc("d", "plain")}, 4, false, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &pullAnswer{seen: map[string]int{}}
			a.begin([]byte("old answer"))
			last := map[string]int{}
			for i, d := range tc.docs {
				last[d.ID] = i
			}
			docs := []sync.Doc{} // the page, as stored and read back
			for i, d := range tc.docs {
				fields, err := store.EncodeFields(d.Fields)
				if err != nil {
					t.Fatal(err)
				}
				st := store.StoredDoc{ID: d.ID, Type: d.Type, Fields: fields}
				if err := a.add(st); err != nil {
					t.Fatal(err)
				}
				if last[d.ID] != i {
					continue
				}
				back, err := st.Doc()
				if err != nil {
					t.Fatal(err)
				}
				docs = append(docs, back)
			}
			var want bytes.Buffer
			if err := json.NewEncoder(&want).Encode(sync.PullResponse{Docs: docs,
				Cursor: strconv.FormatInt(tc.cursor, 10), More: tc.more, ServerTime: tc.serverTime}); err != nil {
				t.Fatal(err)
			}
			got, err := a.finish(tc.cursor, tc.more, tc.serverTime)
			if err != nil {
				t.Fatal(err)
			}
			if string(a.b[:len("old answer")]) != "old answer" {
				t.Errorf("the bytes before the answer are now %q", a.b[:len("old answer")])
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("answer =\n%s\nencoding/json:\n%s", got, want.Bytes())
			}
		})
	}
}

// TestRememberedTokens checks that a token Parse remembers is still held
// to its expiry and issue time on every later request.
func TestRememberedTokens(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tok := newTokens(bytes.Repeat([]byte("k"), 32), DefaultIssuer, func() time.Time { return now }, bytes.NewReader(bytes.Repeat([]byte{1}, 64)))
	raw, err := tok.Issue("u1")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if sub, err := tok.Parse(raw); err != nil || sub != "u1" {
			t.Fatalf("parse %d: %q, %v", i, sub, err)
		}
	}
	if _, ok := tok.verified[raw]; !ok {
		t.Fatal("a checked token is not remembered")
	}
	if _, err := tok.Parse(raw[:len(raw)-2] + "AA"); err == nil {
		t.Error("a token with another signature passes")
	}
	start := now
	for _, c := range []struct {
		at time.Time
		ok bool
	}{
		{start.Add(AccessTokenTTL + tokenLeeway - time.Second), true},
		{start.Add(AccessTokenTTL + tokenLeeway), false}, // expired
		{start.Add(-tokenLeeway), true},                  // clock set back, within the leeway
		{start.Add(-tokenLeeway - time.Second), false},   // issued in the future
		{start.Add(time.Minute), true},
	} {
		now = c.at
		if _, err := tok.Parse(raw); (err == nil) != c.ok {
			t.Errorf("at %v: error %v, want ok %v", c.at.Sub(start), err, c.ok)
		}
	}
}

// TestPushDecoders: while every decoder's place is taken a push does not
// decode, and answers busy
// with its request's end as the cause when that comes first; a push that
// waits goes ahead once a place is free, and gives it back.
func TestPushDecoders(t *testing.T) {
	h := &syncHandlers{decoders: make(chan struct{}, 1)}
	body := []byte(`{"batchId":"b1","docs":[]}`)
	h.decoders <- struct{}{} // the one place is taken
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var e *Error
	if _, err := h.decode(ctx, body); !errors.As(err, &e) || e.Code != CodeUnavailable || !errors.Is(err, context.Canceled) {
		t.Fatalf("a push whose request ended while waiting: %v, want busy, caused by the cancellation", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := h.decode(context.Background(), body)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("decoded while the place was taken: %v", err)
	default:
	}
	<-h.decoders // the place is freed
	if err := <-done; err != nil {
		t.Fatalf("decode once a place is free: %v", err)
	}
	if len(h.decoders) != 0 {
		t.Fatal("the decoder's place was not given back")
	}
}
