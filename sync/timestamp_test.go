package sync_test

import (
	"slices"
	gosync "sync"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/sync"
)

type hlcVectors struct {
	Format []struct {
		Wall    int64  `json:"wall"`
		Counter uint16 `json:"counter"`
		Node    string `json:"node"`
		TS      string `json:"ts"`
	} `json:"format"`
	Invalid []string `json:"invalid"`
	Ordered []string `json:"ordered"`
	Clock   []struct {
		Name  string `json:"name"`
		Node  string `json:"node"`
		Steps []struct {
			Op     string `json:"op"`
			Phys   int64  `json:"phys"`
			Remote string `json:"remote"`
			Want   string `json:"want"`
		} `json:"steps"`
	} `json:"clock"`
}

func TestTimestampVectors(t *testing.T) {
	var v hlcVectors
	readVectors(t, "hlc.json", &v)
	for _, c := range v.Format {
		ts := sync.Timestamp{Wall: c.Wall, Counter: c.Counter, Node: c.Node}
		if got := ts.String(); got != c.TS {
			t.Errorf("String(%+v) = %q, want %q", ts, got, c.TS)
		}
		got, err := sync.ParseTimestamp(c.TS)
		if err != nil || got != ts {
			t.Errorf("ParseTimestamp(%q) = %+v, %v; want %+v", c.TS, got, err, ts)
		}
		if want := time.UnixMilli(c.Wall).UTC(); !got.Time().Equal(want) || got.Time().Location() != time.UTC {
			t.Errorf("Time() of %q = %v, want %v", c.TS, got.Time(), want)
		}
	}
	for _, s := range v.Invalid {
		if ts, err := sync.ParseTimestamp(s); err == nil {
			t.Errorf("ParseTimestamp(%q) = %+v, want an error", s, ts)
		}
	}
	if !slices.IsSorted(v.Ordered) {
		t.Errorf("ordered vector is not in string order")
	}
	for i := 1; i < len(v.Ordered); i++ {
		a, errA := sync.ParseTimestamp(v.Ordered[i-1])
		b, errB := sync.ParseTimestamp(v.Ordered[i])
		if errA != nil || errB != nil {
			t.Fatalf("ordered vector does not parse: %v %v", errA, errB)
		}
		if a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 {
			t.Errorf("Compare disagrees with string order for %q < %q", v.Ordered[i-1], v.Ordered[i])
		}
	}
}

func TestClockVectors(t *testing.T) {
	var v hlcVectors
	readVectors(t, "hlc.json", &v)
	for _, c := range v.Clock {
		t.Run(c.Name, func(t *testing.T) {
			var phys int64
			clock := sync.NewClock(c.Node, func() time.Time { return time.UnixMilli(phys) })
			for i, s := range c.Steps {
				phys = s.Phys
				var got sync.Timestamp
				switch s.Op {
				case "now":
					got = clock.Now()
				case "update":
					remote, err := sync.ParseTimestamp(s.Remote)
					if err != nil {
						t.Fatal(err)
					}
					got = clock.Update(remote)
				default:
					t.Fatalf("unknown op %q", s.Op)
				}
				if got.String() != s.Want {
					t.Fatalf("step %d (%s at %d): got %s, want %s", i, s.Op, s.Phys, got, s.Want)
				}
			}
		})
	}
}

// TestClockStrictlyIncreasing: readings from many goroutines, mixed with
// updates from a remote clock far ahead, are all distinct and each
// goroutine sees them increase.
func TestClockStrictlyIncreasing(t *testing.T) {
	start := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	var mu gosync.Mutex
	phys := start
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		phys = phys.Add(time.Microsecond * 300) // many readings per millisecond
		return phys
	}
	clock := sync.NewClock("n1", now)
	remote := sync.Timestamp{Wall: start.Add(time.Second).UnixMilli(), Counter: 0xFFF0, Node: "n2"}
	const workers, each = 4, 2000
	out := make([][]string, workers)
	var wg gosync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			prev := ""
			for i := range each {
				var ts sync.Timestamp
				if i%100 == 7 {
					ts = clock.Update(remote)
					if ts.Compare(remote) <= 0 {
						t.Errorf("Update(%s) = %s, not after the remote stamp", remote, ts)
					}
				} else {
					ts = clock.Now()
				}
				s := ts.String()
				if s <= prev {
					t.Errorf("worker %d: %s after %s", w, s, prev)
				}
				prev = s
				out[w] = append(out[w], s)
			}
		})
	}
	wg.Wait()
	all := slices.Concat(out...)
	slices.Sort(all)
	if len(slices.Compact(all)) != workers*each {
		t.Errorf("clock returned duplicate timestamps")
	}
}

// TestClockPhysicalBounds: a physical clock before 1970 or beyond the 48-bit
// range still gives timestamps that parse.
func TestClockPhysicalBounds(t *testing.T) {
	for _, tc := range []struct {
		name string
		now  time.Time
		want int64
	}{
		{"before the epoch", time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{"beyond 48 bits", time.UnixMilli(sync.MaxWall).Add(time.Hour), sync.MaxWall},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := sync.NewClock("n", func() time.Time { return tc.now }).Now()
			if ts.Wall != tc.want {
				t.Errorf("Wall = %d, want %d", ts.Wall, tc.want)
			}
			if _, err := sync.ParseTimestamp(ts.String()); err != nil {
				t.Error(err)
			}
		})
	}
}
