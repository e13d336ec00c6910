package api

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/store"
)

// TestUsageCache: far from the quota a push costs no scan of the user's
// rows; near it, and once a minute, the store is asked; the estimate
// never lets a push through that a fresh measurement would refuse.
func TestUsageCache(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	actual := store.Usage{Docs: 10, Bytes: 1 << 20}
	measured := 0
	c := newUsageCache(func(context.Context, string) (store.Usage, error) {
		measured++
		return actual, nil
	}, Quota{Docs: 50_000, Bytes: 128 << 20}, func() time.Time { return now })
	ctx := t.Context()

	for range 50 {
		if err := c.check(ctx, "u1"); err != nil {
			t.Fatal(err)
		}
		c.charge("u1", 100, 30_000) // a batch of 100 sessions
		actual.Docs += 100
		actual.Bytes += 60_000
	}
	if measured != 1 {
		t.Errorf("50 pushes far from the quota measured %d times, want 1", measured)
	}
	now = now.Add(usageFresh)
	if err := c.check(ctx, "u1"); err != nil || measured != 2 {
		t.Errorf("after a minute: %v, measured %d times, want a second measurement", err, measured)
	}

	// Near the quota every push is measured, and refused once over it.
	actual = store.Usage{Docs: 46_000, Bytes: 1 << 20}
	now = now.Add(usageFresh)
	for i := range 5 {
		if err := c.check(ctx, "u1"); err != nil {
			t.Fatalf("push %d under the quota refused: %v", i, err)
		}
		c.charge("u1", 100, 30_000)
		actual.Docs += 100
	}
	if measured != 7 {
		t.Errorf("5 pushes near the quota measured %d times in all, want 7 (each of them)", measured)
	}
	actual.Docs = 50_000
	var e *Error
	if err := c.check(ctx, "u1"); !errors.As(err, &e) || e.Code != CodeQuotaExceeded {
		t.Errorf("at the quota: %v, want %s", err, CodeQuotaExceeded)
	}
}
