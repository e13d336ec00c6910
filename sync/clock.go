package sync

import (
	gosync "sync"
	"time"
)

// Clock is a hybrid logical clock (Kulkarni et al., 2014): its readings
// follow physical time when it moves forward, never go backwards, and
// always exceed every timestamp the clock has seen. It is safe for
// concurrent use.
//
// When the 16-bit counter would overflow (more than 65,536 events in one
// millisecond, or a remote clock far ahead), the clock advances its wall
// part by one millisecond instead, so readings stay strictly increasing.
type Clock struct {
	node string
	now  func() time.Time

	mu      gosync.Mutex
	wall    int64
	counter uint16
}

// NewClock returns a clock stamping with the given node id (1–64 of
// [A-Za-z0-9_-]; it is not checked here, but timestamps with a bad node id
// fail validation). now reads physical time; nil means time.Now.
func NewClock(node string, now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{node: node, now: now}
}

// Node returns the clock's node id.
func (c *Clock) Node() string { return c.node }

// physical reads the physical clock in milliseconds, kept within 0..MaxWall.
func (c *Clock) physical() int64 {
	return min(max(c.now().UnixMilli(), 0), MaxWall)
}

// Now returns a new timestamp for a local event, larger than every
// timestamp the clock returned or saw before.
func (c *Clock) Now() Timestamp {
	pt := c.physical()
	c.mu.Lock()
	defer c.mu.Unlock()
	if pt > c.wall {
		c.wall, c.counter = pt, 0
	} else {
		c.tick(c.wall, uint32(c.counter)+1)
	}
	return Timestamp{Wall: c.wall, Counter: c.counter, Node: c.node}
}

// Update takes a timestamp received from another node and returns a new
// timestamp larger than both it and every earlier reading of this clock.
// Callers check remote stamps for skew (CheckSkew) before trusting them.
func (c *Clock) Update(remote Timestamp) Timestamp {
	pt := c.physical()
	rw := min(max(remote.Wall, 0), MaxWall)
	c.mu.Lock()
	defer c.mu.Unlock()
	w := max(c.wall, rw, pt)
	switch {
	case w == c.wall && w == rw:
		c.tick(w, uint32(max(c.counter, remote.Counter))+1)
	case w == c.wall:
		c.tick(w, uint32(c.counter)+1)
	case w == rw:
		c.tick(w, uint32(remote.Counter)+1)
	default:
		c.wall, c.counter = w, 0
	}
	return Timestamp{Wall: c.wall, Counter: c.counter, Node: c.node}
}

// tick sets the clock to (wall, counter), carrying a counter overflow into
// the wall part. At MaxWall the counter saturates: unreachable before the
// year 10889.
func (c *Clock) tick(wall int64, counter uint32) {
	if counter > 0xFFFF {
		if wall < MaxWall {
			wall, counter = wall+1, 0
		} else {
			counter = 0xFFFF
		}
	}
	c.wall, c.counter = wall, uint16(counter)
}
