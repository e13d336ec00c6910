package apitest

import (
	"context"
	"fmt"
	"time"
)

// pollEvery is how often Poll asks again.
const pollEvery = 50 * time.Millisecond

// Poll calls cond until it reports true, and fails after within or when
// ctx ends. It is for waiting on another process — a server that starts,
// a store that goes down, a browser that writes a file — never for
// ordering events inside the test's own process: those wait on a signal.
func Poll(ctx context.Context, within time.Duration, cond func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		if cond() {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not true within %s: %w", within, ctx.Err())
		case <-tick.C:
		}
	}
}
