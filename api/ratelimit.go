package api

import (
	"container/heap"
	"math"
	"net/http"
	"net/netip"
	gosync "sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Limit is a token bucket: Burst requests at once, refilled at one token
// per Every.
type Limit struct {
	Burst int
	Every time.Duration
}

type bucket struct {
	key    string
	tokens float64
	last   time.Time
	fullAt time.Time // when the bucket will have refilled completely
	index  int       // position in the limiter's heap
}

// limiter keeps one token bucket per key (an IP, an email) in memory. The
// map is bounded: when it is full, a new key takes the place of the bucket
// that will be full again soonest — the one whose forgetting loses the
// least, a bucket that has refilled completely losing nothing. A full
// limiter never refuses a new key: a flood of addresses must not lock
// every newcomer out. To wipe a bucket that is still counting, an attacker
// must first make every other bucket emptier than it, at the cost of a
// whole burst per key.
//
// The buckets sit in a min-heap by the time they are full again, so each
// call costs O(log n) under the mutex, whatever the number of keys.
type limiter struct {
	mu      gosync.Mutex
	limit   Limit
	max     int
	now     func() time.Time
	buckets map[string]*bucket
	byFull  fullHeap
}

func newLimiter(l Limit, maxKeys int, now func() time.Time) *limiter {
	maxKeys = max(maxKeys, 1)
	return &limiter{limit: l, max: maxKeys, now: now, buckets: make(map[string]*bucket)}
}

// Allow takes a token for key. When none is left it returns false and how
// long until the next try can succeed.
func (l *limiter) Allow(key string) (bool, time.Duration) {
	if l == nil || l.limit.Burst <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.max {
			shed := heap.Pop(&l.byFull).(*bucket)
			delete(l.buckets, shed.key)
		}
		b = &bucket{key: key, tokens: float64(l.limit.Burst), last: now}
		l.buckets[key] = b
		heap.Push(&l.byFull, b)
	}
	l.refill(b, now)
	allowed := b.tokens >= 1
	if allowed {
		b.tokens--
	}
	l.fix(b, now)
	if allowed {
		return true, 0
	}
	return false, time.Duration(math.Ceil((1 - b.tokens) * float64(l.limit.Every)))
}

// Take takes a token from l for key, or fails with 429 and Retry-After.
func (l *limiter) Take(key string) error {
	ok, wait := l.Allow(key)
	if ok {
		return nil
	}
	return &Error{Code: CodeRateLimited, Message: "too many attempts; wait a little and try again",
		RetryAfter: int(math.Max(1, math.Ceil(wait.Seconds())))}
}

// Refund gives back the token Allow took for key, when what it guarded
// went well: then only failures count against the key.
func (l *limiter) Refund(key string) {
	if l == nil || l.limit.Burst <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		return
	}
	now := l.now()
	l.refill(b, now)
	b.tokens = math.Min(float64(l.limit.Burst), b.tokens+1)
	l.fix(b, now)
}

// failures bounds the failed requests of a route: each request takes a
// token from l under key(c) and a request that succeeds gives it back, so
// only failures count — every failed attempt, a malformed one included.
// It guards what can be guessed (invite codes).
func failures(l *limiter, key func(echo.Context) string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			k := key(c)
			if err := l.Take(k); err != nil {
				return err
			}
			err := next(c)
			if err == nil && c.Response().Status < http.StatusBadRequest {
				l.Refund(k)
			}
			return err
		}
	}
}

// rate bounds the requests of a route per key(c): each takes a token.
func rate(l *limiter, key func(echo.Context) string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := l.Take(key(c)); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// byUser keys a limit by the signed-in user (after authentication).
func byUser(c echo.Context) string { return currentUser(c).ID }

// byNetwork keys a limit by the client's network (clientKey).
func byNetwork(c echo.Context) string { return clientKey(c.RealIP()) }

// lockout is account.Tries over two limiters: perClient keyed by account
// and client network (tight), perAccount keyed by account alone (large).
type lockout struct {
	perClient, perAccount *limiter
}

// Take spends a try from both budgets; the client's is asked first, so a
// network that spent its own does not wear down the account's.
func (l lockout) Take(account, network string) error {
	if err := l.perClient.Take(account + " " + network); err != nil {
		return err
	}
	return l.perAccount.Take(account)
}

// Refund gives the try back to both budgets.
func (l lockout) Refund(account, network string) {
	l.perClient.Refund(account + " " + network)
	l.perAccount.Refund(account)
}

// fix sets when b is full again and its place in the heap.
func (l *limiter) fix(b *bucket, now time.Time) {
	b.fullAt = now.Add(time.Duration(math.Ceil((float64(l.limit.Burst) - b.tokens) * float64(l.limit.Every))))
	heap.Fix(&l.byFull, b.index)
}

func (l *limiter) refill(b *bucket, now time.Time) {
	if elapsed := now.Sub(b.last); elapsed > 0 && l.limit.Every > 0 {
		b.tokens = math.Min(float64(l.limit.Burst), b.tokens+float64(elapsed)/float64(l.limit.Every))
	}
	b.last = now
}

// fullHeap orders buckets by the time they are full again (container/heap).
type fullHeap []*bucket

func (h fullHeap) Len() int           { return len(h) }
func (h fullHeap) Less(i, j int) bool { return h[i].fullAt.Before(h[j].fullAt) }
func (h fullHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *fullHeap) Push(x any) {
	b := x.(*bucket)
	b.index = len(*h)
	*h = append(*h, b)
}
func (h *fullHeap) Pop() any {
	old := *h
	b := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return b
}

// clientKey is the rate-limit key of a client address: an IPv4 address as
// it is, an IPv6 address by its /64, the smallest block one subscriber
// usually gets (keying on the full address would give each a few billion
// billion fresh buckets). Anything unparsable is used as it is.
func clientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}
