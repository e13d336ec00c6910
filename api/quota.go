package api

import (
	"context"
	"fmt"
	gosync "sync"
	"time"

	"github.com/hit4x4/dagbok/store"
)

// Measuring a user's usage reads every row they keep, so a push does not
// measure it each time: usageCache keeps the last measurement of each
// scope and adds to it an upper bound of what each accepted push may have
// added. It measures again when the last measurement is older than
// usageFresh, or when the estimate comes within a tenth of either bound —
// so near the quota every push is checked against the store itself, and
// far from it a push costs no scan.
const (
	usageFresh = time.Minute
	// docAllowance bounds the bytes one pushed document may add beyond its
	// own body share: the merged state the change log keeps of it.
	docAllowance = 8 << 10
	// usageScopes bounds the scopes remembered; past it all are forgotten
	// (and measured again on their next push).
	usageScopes = 10_000
)

type usageEstimate struct {
	store.Usage
	at time.Time
}

type usageCache struct {
	measure func(ctx context.Context, scope string) (store.Usage, error)
	quota   Quota
	now     func() time.Time

	mu    gosync.Mutex
	known map[string]usageEstimate
}

func newUsageCache(measure func(context.Context, string) (store.Usage, error), quota Quota, now func() time.Time) *usageCache {
	return &usageCache{measure: measure, quota: quota, now: now, known: make(map[string]usageEstimate)}
}

// check refuses a push while the scope is at or over its quota.
func (c *usageCache) check(ctx context.Context, scope string) error {
	now := c.now()
	c.mu.Lock()
	est, ok := c.known[scope]
	c.mu.Unlock()
	if !ok || now.Sub(est.at) >= usageFresh || est.Docs >= c.quota.Docs-c.quota.Docs/10 || est.Bytes >= c.quota.Bytes-c.quota.Bytes/10 {
		u, err := c.measure(ctx, scope)
		if err != nil {
			return err
		}
		est = usageEstimate{Usage: u, at: now}
		c.mu.Lock()
		if len(c.known) >= usageScopes {
			clear(c.known)
		}
		c.known[scope] = est
		c.mu.Unlock()
	}
	if est.Docs >= c.quota.Docs || est.Bytes >= c.quota.Bytes {
		return &Error{Code: CodeQuotaExceeded, Message: fmt.Sprintf(
			"your storage on this server is full (%d documents, %d bytes; at most %d and %d); nothing was saved",
			est.Docs, est.Bytes, c.quota.Docs, c.quota.Bytes)}
	}
	return nil
}

// charge adds to the scope's estimate what an accepted push of docs
// documents in a body of bodyBytes may have added at most: every document
// new, its fields kept twice (document and change log), and the merged
// state of each logged.
func (c *usageCache) charge(scope string, docs, bodyBytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	est, ok := c.known[scope]
	if !ok {
		return
	}
	est.Docs += int64(docs)
	est.Bytes += 2*int64(bodyBytes) + int64(docs)*docAllowance
	c.known[scope] = est
}
