package push_test

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/push"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/tests/fakepush"
)

// waits records the sender's backoff instead of sleeping.
type waits struct {
	mu gosync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(_ context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.d = append(w.d, d)
	return nil
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// rig is a sender and the fake push service it sends to.
type rig struct {
	keys   push.Keys
	fake   *fakepush.Service
	sender *push.Sender
	waits  *waits
}

func newRig(t *testing.T, guard push.Guard) *rig {
	t.Helper()
	keys, err := push.GenerateKeys(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{keys: keys, fake: fakepush.Start(t, keys.Public), waits: &waits{}}
	r.sender, err = push.NewSender(push.SenderConfig{Keys: keys, Subject: "mailto:drift@example.org", Guard: guard,
		TLS: &tls.Config{RootCAs: r.fake.RootCAs()}, Sleep: r.waits.sleep})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func storeSub(userID string, s *fakepush.Subscription) store.Subscription {
	return store.Subscription{Endpoint: s.Endpoint, UserID: userID, P256dh: s.P256dh, Auth: s.Auth}
}

func TestSendDeliversWhatThePhoneDecrypts(t *testing.T) {
	r := newRig(t, push.Guard{Loopback: true})
	phone := r.fake.Subscribe("phone")
	m := push.Message{Title: "Tid for økta di", Body: "Planlagt økt kl. 18:00.", URL: "/timer", Tag: "slot"}
	res := r.sender.Send(context.Background(), storeSub("ann", phone), m, "slot")
	if res.Outcome != push.Sent {
		t.Fatalf("Send = %+v; refused: %v", res, r.fake.Failures())
	}
	got := r.fake.Delivered()
	if len(got) != 1 {
		t.Fatalf("delivered %d messages, want 1", len(got))
	}
	title, body := got[0].Text()
	if title != m.Title || body != m.Body {
		t.Errorf("phone shows %q / %q, want %q / %q", title, body, m.Title, m.Body)
	}
	if got[0].TTL != 12*60*60 || got[0].Topic != "slot" || got[0].Urgency != "normal" {
		t.Errorf("TTL %d, Topic %q, Urgency %q; want 43200, slot, normal", got[0].TTL, got[0].Topic, got[0].Urgency)
	}
	if got[0].Subject != "mailto:drift@example.org" {
		t.Errorf("VAPID sub = %q, want mailto:drift@example.org once", got[0].Subject)
	}
	if got[0].Padded != 256 {
		t.Errorf("plaintext padded to %d bytes, want 256 (not webpush-go's 4,096)", got[0].Padded)
	}
}

func TestSendAnswers(t *testing.T) {
	for _, tc := range []struct {
		name     string
		answers  []int
		want     push.Outcome
		attempts int
		waits    []time.Duration
	}{
		{"accepted", nil, push.Sent, 1, nil},
		{"gone 404", []int{404}, push.Gone, 1, nil},
		{"gone 410", []int{410}, push.Gone, 1, nil},
		{"429 waits its Retry-After", []int{429}, push.Sent, 2, []time.Duration{7 * time.Second}},
		{"5xx backs off", []int{500, 503}, push.Sent, 3, []time.Duration{time.Second, 2 * time.Second}},
		{"5xx gives up", []int{500, 500, 500, 500}, push.Failed, 4, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
		{"refused", []int{403}, push.Failed, 1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, push.Guard{Loopback: true})
			phone := r.fake.Subscribe("phone")
			r.fake.Answer(phone, tc.answers...)
			res := r.sender.Send(context.Background(), storeSub("ann", phone), push.Message{Title: "x"}, "test")
			if res.Outcome != tc.want {
				t.Errorf("outcome %q (%s), want %q", res.Outcome, res.Reason, tc.want)
			}
			if n := r.fake.Attempts(phone); n != tc.attempts {
				t.Errorf("%d attempts, want %d", n, tc.attempts)
			}
			if got := r.waits.all(); len(got) != len(tc.waits) || len(got) > 0 && !equalDurations(got, tc.waits) {
				t.Errorf("waited %v, want %v", got, tc.waits)
			}
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// A listed host could resolve to a private address: the dial refuses it.
func TestSendRefusesLoopbackWithoutTheTestFlag(t *testing.T) {
	r := newRig(t, push.Guard{})
	phone := r.fake.Subscribe("phone")
	res := r.sender.Send(context.Background(), storeSub("ann", phone), push.Message{Title: "x"}, "test")
	if res.Outcome != push.Failed || r.fake.Attempts(phone) != 0 {
		t.Errorf("sent to loopback without the flag: %+v, %d attempts", res, r.fake.Attempts(phone))
	}
	if len(r.waits.all()) != 0 {
		t.Errorf("retried a refused address: %v", r.waits.all())
	}
}

func relays(cidrs ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, c := range cidrs {
		out = append(out, netip.MustParsePrefix(c))
	}
	return out
}

// A relay the operator lists is reached over https although it is on a
// loopback address; without it the same endpoint is refused when dialled.
func TestSendThroughARelay(t *testing.T) {
	r := newRig(t, push.Guard{Relays: relays("127.0.0.1/32")})
	phone := r.fake.Subscribe("phone")
	if err := (push.Guard{Relays: relays("127.0.0.1/32")}).Check(phone.Endpoint); err != nil {
		t.Fatalf("the relay's endpoint %s refused: %v", phone.Endpoint, err)
	}
	res := r.sender.Send(context.Background(), storeSub("ann", phone), push.Message{Title: "Tid for økta di"}, "test")
	if res.Outcome != push.Sent || len(r.fake.Delivered()) != 1 {
		t.Fatalf("through the relay: %+v, %d delivered", res, len(r.fake.Delivered()))
	}
	other := newRig(t, push.Guard{Relays: relays("10.0.0.0/8")})
	phone = other.fake.Subscribe("phone")
	if res := other.sender.Send(context.Background(), storeSub("ann", phone), push.Message{Title: "x"}, "test"); res.Outcome != push.Failed || other.fake.Attempts(phone) != 0 {
		t.Errorf("sent to loopback outside the relays: %+v, %d attempts", res, other.fake.Attempts(phone))
	}
}

func TestGuard(t *testing.T) {
	for _, tc := range []struct {
		endpoint string
		guard    push.Guard
		ok       bool
	}{
		{"https://fcm.googleapis.com/fcm/send/abc", push.Guard{}, true},
		{"https://updates.push.services.mozilla.com/wpush/v2/abc", push.Guard{}, true},
		{"https://web.push.apple.com/QGx", push.Guard{}, true},
		{"https://wns2-db5p.notify.windows.com/w/?token=x", push.Guard{}, true},
		{"http://fcm.googleapis.com/fcm/send/abc", push.Guard{}, false},
		{"https://evilfcm.googleapis.com.attacker.example/x", push.Guard{}, false},
		{"https://attacker.example/x", push.Guard{}, false},
		{"https://127.0.0.1/x", push.Guard{}, false},
		{"https://10.0.0.8/x", push.Guard{}, false},
		{"https://169.254.169.254/latest/meta-data", push.Guard{}, false},
		{"https://[::1]/x", push.Guard{}, false},
		{"https://[fe80::1]/x", push.Guard{}, false},
		{"https://user@fcm.googleapis.com/x", push.Guard{}, false},
		{"not a url", push.Guard{}, false},
		{"https://push.example.org/x", push.Guard{Hosts: []string{"push.example.org"}}, true},
		{"http://127.0.0.1:4000/x", push.Guard{Loopback: true}, true},
		{"https://localhost:4000/x", push.Guard{Loopback: true}, true},
		{"https://10.0.0.8/x", push.Guard{Loopback: true}, false},
		{"https://10.0.0.8/x", push.Guard{Relays: relays("10.0.0.0/24")}, true},
		{"https://10.0.0.8:8443/x", push.Guard{Relays: relays("10.0.0.8/32")}, true},
		{"http://10.0.0.8/x", push.Guard{Relays: relays("10.0.0.0/24")}, false},
		{"https://10.0.1.8/x", push.Guard{Relays: relays("10.0.0.0/24")}, false},
		{"https://169.254.169.254/x", push.Guard{Relays: relays("10.0.0.0/24")}, false},
		{"https://127.0.0.1:4000/x", push.Guard{Relays: relays("127.0.0.1/32")}, true},
		{"https://localhost:4000/x", push.Guard{Relays: relays("127.0.0.1/32")}, false},
	} {
		err := tc.guard.Check(tc.endpoint)
		if (err == nil) != tc.ok {
			t.Errorf("Check(%q) with %+v = %v, want ok %v", tc.endpoint, tc.guard, err, tc.ok)
		}
	}
}

func TestKeysKeptInTheDataFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vapid.json")
	k1, created, err := push.LoadOrCreateKeys(path, rand.Reader)
	if err != nil || !created {
		t.Fatalf("first start: %v, created %v", err, created)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v, want 0600", fi.Mode(), err)
	}
	k2, created, err := push.LoadOrCreateKeys(path, rand.Reader)
	if err != nil || created || k2 != k1 {
		t.Fatalf("second start: %v, created %v, same keys %v", err, created, k1 == k2)
	}
	other, _ := push.GenerateKeys(rand.Reader)
	if _, err := push.ParseKeys(other.Public, k1.Private); err == nil {
		t.Errorf("ParseKeys accepted a public key of another pair")
	}
}

// Many sends at once of one message: every phone decrypts it whole
// (webpush-go pads the slice it is given in place, so each send must have
// its own copy), under the race detector.
func TestConcurrentSendsOfOneMessage(t *testing.T) {
	r := newRig(t, push.Guard{Loopback: true})
	m := push.Message{Title: "Tid for økta di", Body: "Planlagt økt kl. 07:15. Du klarer det!", URL: "/timer", Tag: "slot"}
	var wg gosync.WaitGroup
	const phones = 20
	for i := range phones {
		sub := storeSub("ann", r.fake.Subscribe(fmt.Sprint("phone", i)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if res := r.sender.Send(context.Background(), sub, m, "slot"); res.Outcome != push.Sent {
				t.Errorf("send: %+v", res)
			}
		}()
	}
	wg.Wait()
	got := r.fake.Delivered()
	if len(got) != phones {
		t.Fatalf("delivered %d, want %d; refused %v", len(got), phones, r.fake.Failures())
	}
	for _, d := range got {
		if title, body := d.Text(); title != m.Title || body != m.Body {
			t.Errorf("%s shows %q / %q", d.Endpoint, title, body)
		}
	}
}
