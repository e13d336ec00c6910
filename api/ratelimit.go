package api

import (
	"math"
	gosync "sync"
	"time"
)

// Limit is a token bucket: Burst requests at once, refilled at one token
// per Every.
type Limit struct {
	Burst int
	Every time.Duration
}

type bucket struct {
	tokens float64
	last   time.Time
}

// limiter keeps one token bucket per key (an IP, an email) in memory. The
// map is bounded: when it is full, buckets that have refilled completely
// are dropped (forgetting them changes nothing), and if none has, an
// arbitrary one is.
type limiter struct {
	mu      gosync.Mutex
	limit   Limit
	max     int
	now     func() time.Time
	buckets map[string]*bucket
}

func newLimiter(l Limit, maxKeys int, now func() time.Time) *limiter {
	return &limiter{limit: l, max: maxKeys, now: now, buckets: make(map[string]*bucket)}
}

// Allow takes a token for key. When none is left it returns false and how
// long until the next one.
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
			l.evict(now)
		}
		b = &bucket{tokens: float64(l.limit.Burst), last: now}
		l.buckets[key] = b
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration(math.Ceil((1 - b.tokens) * float64(l.limit.Every)))
	return false, wait
}

func (l *limiter) refill(b *bucket, now time.Time) {
	if elapsed := now.Sub(b.last); elapsed > 0 && l.limit.Every > 0 {
		b.tokens = math.Min(float64(l.limit.Burst), b.tokens+float64(elapsed)/float64(l.limit.Every))
	}
	b.last = now
}

func (l *limiter) evict(now time.Time) {
	for k, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= float64(l.limit.Burst) {
			delete(l.buckets, k)
		}
	}
	for k := range l.buckets {
		if len(l.buckets) < l.max {
			break
		}
		delete(l.buckets, k)
	}
}
