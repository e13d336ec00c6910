package api

import (
	"context"
	gosync "sync"
	"time"

	"github.com/labstack/echo/v4"
)

// pushGuard bounds the pushes in flight: a push holds its body, its
// decoded documents and a place in the writer's queue, so 400 concurrent
// pushes of 1 MiB took 1.8 GB. At most perUser pushes of one user and all
// pushes of everyone run at once. A push over its user's bound is refused
// at once (that user's own devices are the ones waiting); one over the
// overall bound waits up to wait for a place. Either way the answer is 503
// unavailable with Retry-After, which every client retries.
type pushGuard struct {
	all     chan struct{}
	wait    time.Duration
	perUser int

	mu     gosync.Mutex
	byUser map[string]int
}

func newPushGuard(all, perUser int, wait time.Duration) *pushGuard {
	return &pushGuard{all: make(chan struct{}, max(all, 1)), perUser: max(perUser, 1), wait: wait,
		byUser: make(map[string]int)}
}

// busy is the answer to a push that found no place.
func busy() *Error {
	return &Error{Code: CodeUnavailable, Message: "the server is busy with other pushes; try again shortly", RetryAfter: 1}
}

// middleware runs a push (after authentication) when a place is free.
func (g *pushGuard) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		user := currentUser(c).ID
		if !g.enter(user) {
			return busy()
		}
		defer g.leave(user)
		ctx, cancel := context.WithTimeout(c.Request().Context(), g.wait)
		defer cancel()
		select {
		case g.all <- struct{}{}:
		case <-ctx.Done():
			return busy()
		}
		defer func() { <-g.all }()
		return next(c)
	}
}

func (g *pushGuard) enter(user string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.byUser[user] >= g.perUser {
		return false
	}
	g.byUser[user]++
	return true
}

func (g *pushGuard) leave(user string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.byUser[user]--; g.byUser[user] <= 0 {
		delete(g.byUser, user)
	}
}
