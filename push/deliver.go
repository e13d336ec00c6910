package push

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	gosync "sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hit4x4/dagbok/store"
)

// Metrics count what the push senders did. The zero of a nil *Metrics
// counts nothing.
type Metrics struct {
	sent, failed, removed prometheus.Counter
}

// NewMetrics registers the counters push_sent_total, push_failed_total
// and push_removed_total (subscriptions removed after 404/410).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		sent:    prometheus.NewCounter(prometheus.CounterOpts{Name: "push_sent_total", Help: "Push messages accepted by a push service."}),
		failed:  prometheus.NewCounter(prometheus.CounterOpts{Name: "push_failed_total", Help: "Push messages not delivered after the retries."}),
		removed: prometheus.NewCounter(prometheus.CounterOpts{Name: "push_removed_total", Help: "Subscriptions removed because the push service said they are gone."}),
	}
	for _, c := range []prometheus.Collector{m.sent, m.failed, m.removed} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("push metrics: %w", err)
		}
	}
	return m, nil
}

func (m *Metrics) count(r Result) {
	if m == nil {
		return
	}
	switch r.Outcome {
	case Sent:
		m.sent.Inc()
	case Gone:
		m.removed.Inc()
	default:
		m.failed.Inc()
	}
}

// subscriptionStore is what delivering needs of the store.
type subscriptionStore interface {
	Subscriptions(ctx context.Context, userID string) ([]store.Subscription, error)
	DeleteSubscription(ctx context.Context, userID, endpoint string) error
}

// Report is what sending one message to a user's devices did.
type Report struct {
	Sent, Failed int
	Results      []Result
}

// deviceSends bounds the sends to one user's devices at a time.
const deviceSends = 4

// deliver sends m to every subscription of the user, a few at a time (the
// caller bounds the users at a time), and removes those the push service
// says are gone.
func deliver(ctx context.Context, st subscriptionStore, snd *Sender, met *Metrics, userID string, m Message, topic string) (Report, error) {
	subs, err := st.Subscriptions(ctx, userID)
	if err != nil {
		return Report{}, err
	}
	return deliverTo(ctx, st, snd, met, userID, subs, m, topic)
}

// deliverTo is deliver to subscriptions the caller read. The payload is
// encoded once; the sender copies it for each send. The one device most
// users have is sent to without a goroutine of its own.
func deliverTo(ctx context.Context, st subscriptionStore, snd *Sender, met *Metrics, userID string, subs []store.Subscription, m Message, topic string) (Report, error) {
	payload, err := json.Marshal(m)
	if err != nil {
		return Report{}, err
	}
	results := make([]Result, len(subs))
	if len(subs) == 1 {
		results[0] = snd.send(ctx, subs[0], payload, topic)
	} else {
		var wg gosync.WaitGroup
		slots := make(chan struct{}, deviceSends)
		for i, sub := range subs {
			wg.Add(1)
			slots <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				results[i] = snd.send(ctx, sub, payload, topic)
			}()
		}
		wg.Wait()
	}
	rep := Report{Results: results}
	for i, r := range results {
		met.count(r)
		if r.Outcome == Gone {
			results[i].Reason = "subscription expired and removed"
			if err := st.DeleteSubscription(ctx, userID, r.Endpoint); err != nil && !errors.Is(err, store.ErrNotFound) {
				return rep, err
			}
		}
		if r.Outcome == Sent {
			rep.Sent++
		} else {
			rep.Failed++
		}
	}
	return rep, nil
}
