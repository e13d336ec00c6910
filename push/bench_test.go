package push_test

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"net/http"
	"path/filepath"
	"runtime"
	gosync "sync"
	"testing"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/hit4x4/dagbok/internal/apitest"
	"github.com/hit4x4/dagbok/push"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
	"github.com/hit4x4/dagbok/tests/fakepush"
)

// fanOut is the number of patients with a reminder due in each round.
const fanOut = 10_000

// noopClient answers every request 201 without a network: the baseline's
// cost is webpush-go's encryption and VAPID signing alone.
type noopClient struct{}

func (noopClient) Do(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusCreated, Body: http.NoBody, Request: r}, nil
}

// BenchmarkFanOut alternates two rounds: one scheduler tick that finds
// fanOut patients' planned sessions due and sends each reminder — reading
// each patient's plan and diary, claiming and finishing the reminder in
// SQLite, encrypting and POSTing it over TLS on loopback to a push service
// that answers 201 — and, as the baseline, fanOut calls of webpush-go's
// SendNotification to a no-op HTTP client (its encryption and VAPID
// signing per message, no network), with the scheduler's concurrency. It
// reports both rates and the ratio of the scheduler's to the baseline's
// (target ≥ 0.5), summed over the rounds.
func BenchmarkFanOut(b *testing.B) {
	ctx := context.Background()
	st := openSQLite(b, filepath.Join(b.TempDir(), "app.db"))
	keys, err := push.GenerateKeys(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	sink := fakepush.StartSink(b)
	sender, err := push.NewSender(push.SenderConfig{Keys: keys, Subject: "mailto:drift@example.org",
		Guard: push.Guard{Loopback: true}, TLS: &tls.Config{RootCAs: sink.RootCAs()}})
	if err != nil {
		b.Fatal(err)
	}
	subs := make([]store.Subscription, fanOut)
	for i := range fanOut {
		id := fmt.Sprintf("u%05d", i)
		if err := st.CreateUser(ctx, store.User{ID: id, Email: id + "@example.org", PasswordHash: "x", Name: id,
			Role: store.RolePatient, TimeZone: "Europe/Oslo", Language: "nb"}); err != nil {
			b.Fatal(err)
		}
		s := sink.Subscribe(id)
		subs[i] = storeSub(id, s)
		if err := st.SaveSubscription(ctx, subs[i]); err != nil {
			b.Fatal(err)
		}
		plan := synctest.Doc(b, "plan", "plan", synctest.Stamp(utc("2026-01-01T00:00:00Z"), "dev"),
			"sessionsPerWeek", 1, "days", []int{1}, "time", "18:00")
		if _, err := st.Push(ctx, id, "plan", []sync.Doc{plan}); err != nil {
			b.Fatal(err)
		}
	}
	clock := apitest.NewClock(utc("2026-03-02T16:30:00Z")) // a Monday, 17:30 in Oslo
	workers := 16
	sched, err := push.NewScheduler(push.SchedulerConfig{Store: st, Sender: sender, Owner: "bench", Now: clock.Now, Workers: workers})
	if err != nil {
		b.Fatal(err)
	}
	payload := []byte(`{"title":"Tid for økta di","body":"Planlagt økt kl. 18:00. Du klarer det!","url":"/timer","tag":"slot"}`)
	baseline := func() error {
		var wg gosync.WaitGroup
		work := make(chan int)
		errs := make(chan error, workers)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					resp, err := webpush.SendNotification(append([]byte(nil), payload...),
						&webpush.Subscription{Endpoint: subs[i].Endpoint, Keys: webpush.Keys{P256dh: subs[i].P256dh, Auth: subs[i].Auth}},
						&webpush.Options{HTTPClient: noopClient{}, Subscriber: "drift@example.org", TTL: 43200,
							VAPIDPublicKey: keys.Public, VAPIDPrivateKey: keys.Private})
					if err != nil {
						select {
						case errs <- err:
						default:
						}
						continue
					}
					resp.Body.Close()
				}
			}()
		}
		for i := range fanOut {
			work <- i
		}
		close(work)
		wg.Wait()
		select {
		case err := <-errs:
			return err
		default:
			return nil
		}
	}
	round := 0
	tick := func() error {
		before := sink.Posts()
		rep, err := sched.Tick(ctx)
		if err != nil {
			return err
		}
		if got := sink.Posts() - before; got != fanOut || rep.Reminders != fanOut {
			return fmt.Errorf("round %d: %d messages, %d reminders; want %d", round, got, rep.Reminders, fanOut)
		}
		return nil
	}
	var base, ours time.Duration
	b.ResetTimer()
	for i := range b.N {
		round = i
		runtime.GC()
		steps := []struct {
			into *time.Duration
			f    func() error
		}{{&base, baseline}, {&ours, tick}}
		if i%2 == 1 {
			steps[0], steps[1] = steps[1], steps[0]
		}
		for _, s := range steps {
			start := time.Now()
			if err := s.f(); err != nil {
				b.Fatal(err)
			}
			*s.into += time.Since(start)
		}
		clock.Advance(7 * 24 * time.Hour) // next week: every reminder is new again
	}
	b.StopTimer()
	n := float64(b.N * fanOut)
	b.ReportMetric(n/ours.Seconds(), "reminders/s")
	b.ReportMetric(n/base.Seconds(), "webpush-go/s")
	b.ReportMetric(base.Seconds()/ours.Seconds(), "ratio")
}
