package scenario

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"net/http"
	gosync "sync"
	"testing"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/hit4x4/dagbok/internal/apitest"
	"github.com/hit4x4/dagbok/internal/bench"
	"github.com/hit4x4/dagbok/push"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
	"github.com/hit4x4/dagbok/tests/fakepush"
)

// noopClient answers every request 201 without a network: the baseline's
// cost is webpush-go's encryption and VAPID signing alone.
type noopClient struct{}

func (noopClient) Do(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusCreated, Body: http.NoBody, Request: r}, nil
}

// FanOut alternates two rounds: one scheduler tick that finds reminders
// patients' planned sessions due and sends each reminder — reading each
// patient's plan and diary, claiming and finishing the reminder in SQLite,
// encrypting and POSTing it over TLS on loopback to a push service that
// answers 201 — and, as the baseline, as many calls of webpush-go's
// SendNotification to a no-op HTTP client (its encryption and VAPID
// signing per message, no network), with the scheduler's concurrency.
// Ratio fanout/encrypt: the scheduler's rate ÷ the baseline's (target ≥
// 0.5).
func FanOut(reminders int) func(b *testing.B) {
	return func(b *testing.B) {
		ctx := context.Background()
		st := OpenSQLite(b)
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
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		subs := make([]store.Subscription, reminders)
		for i := range reminders {
			id := fmt.Sprintf("u%05d", i)
			if err := st.CreateUser(ctx, store.User{ID: id, Email: id + "@example.org", PasswordHash: "x", Name: id,
				Role: store.RolePatient, TimeZone: "Europe/Oslo", Language: "nb"}); err != nil {
				b.Fatal(err)
			}
			s := sink.Subscribe(id)
			subs[i] = store.Subscription{Endpoint: s.Endpoint, UserID: id, P256dh: s.P256dh, Auth: s.Auth}
			if err := st.SaveSubscription(ctx, subs[i]); err != nil {
				b.Fatal(err)
			}
			plan := synctest.Doc(b, "plan", "plan", synctest.Stamp(start, "dev"),
				"sessionsPerWeek", 1, "days", []int{1}, "time", "18:00")
			if _, err := st.Push(ctx, id, "plan", []sync.Doc{plan}); err != nil {
				b.Fatal(err)
			}
		}
		oslo, err := time.LoadLocation("Europe/Oslo")
		if err != nil {
			b.Fatal(err)
		}
		clock := apitest.NewClock(time.Date(2026, 3, 2, 16, 30, 0, 0, time.UTC)) // a Monday, 17:30 in Oslo
		const workers = 16
		sched, err := push.NewScheduler(push.SchedulerConfig{Store: st, Sender: sender, Owner: "bench", Now: clock.Now, Workers: workers})
		if err != nil {
			b.Fatal(err)
		}
		payload := []byte(`{"title":"Tid for økta di","body":"Planlagt økt kl. 18:00. Du klarer det!","url":"/timer","tag":"slot"}`)
		encrypt := func() error {
			var wg gosync.WaitGroup
			work := make(chan int)
			errs := make(chan error, workers)
			for range workers {
				wg.Go(func() {
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
				})
			}
			for i := range reminders {
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
		tick := func() error {
			before := sink.Posts()
			rep, err := sched.Tick(ctx)
			if err != nil {
				return err
			}
			if got := sink.Posts() - before; got != reminders || rep.Reminders != reminders {
				return fmt.Errorf("%d messages, %d reminders; want %d", got, rep.Reminders, reminders)
			}
			return nil
		}
		var raw, op bench.Spent
		b.ResetTimer()
		for i := range b.N {
			bench.DropSetupGarbage()
			bench.Alternate(b, i, &raw, &op, encrypt, tick)
			// Next Monday at the same time in Oslo, across daylight saving
			// time too: every reminder is due and new again.
			now := clock.Now().In(oslo)
			clock.Advance(now.AddDate(0, 0, 7).Sub(now))
		}
		bench.ReportRates(b, b.N*reminders, "reminders/s", "fanout/encrypt", raw, op)
	}
}
