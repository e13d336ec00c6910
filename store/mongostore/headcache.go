package mongostore

import gosync "sync"

// maxCachedHeads bounds the head cache; past it the cache starts over.
const maxCachedHeads = 100_000

// headCache remembers the last change-log head a Store saw per scope, so an
// append walks forward from there instead of querying for the head. It is
// only a starting point: the walk finds entries other instances appended,
// and the floor check catches a head that compaction removed.
type headCache struct {
	mu    gosync.Mutex
	heads map[string]int64
}

func newHeadCache() *headCache { return &headCache{heads: map[string]int64{}} }

func (c *headCache) get(scope string) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.heads[scope]
	return h, ok
}

func (c *headCache) note(scope string, head int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.heads) >= maxCachedHeads {
		clear(c.heads)
	}
	c.heads[scope] = max(c.heads[scope], head)
}

func (c *headCache) forget(scope string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.heads, scope)
}
