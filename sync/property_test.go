package sync_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/training"
)

// replica is one device in a simulated network: its documents and clock.
type replica struct {
	node  string
	clock *sync.Clock
	docs  map[string]sync.Doc
}

// message carries a document state (a one-edit delta or a replica's whole
// document) to one replica.
type message struct {
	to  int
	doc sync.Doc
}

// write is one field write made anywhere, to find the one that must win.
type write struct {
	doc, field string
	f          sync.Field
}

var propertyFields = []string{"protocol", "note", "moodBefore", "moodAfter", "sessionRpe", "durationMin", "deleted"}

// TestConvergence runs 10,000 random schedules (seeded, so failures
// replay): 2–5 replicas with skewed, jittering physical clocks make
// concurrent edits and deletions of shared documents; edits travel as
// deltas or whole documents and are delivered reordered, duplicated and
// partly lost, the lost ones retried at the end. Every replica must end
// with byte-identical documents, each field holding the write with the
// largest (timestamp, value) — and a write made after a replica saw another
// write of the same field must have the larger stamp, so it wins.
func TestConvergence(t *testing.T) {
	schedules := 10000
	if testing.Short() {
		schedules = 1000
	}
	for seed := range uint64(schedules) {
		if err := runSchedule(seed); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
}

func runSchedule(seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 0x4a4))
	base := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	var elapsed time.Duration // simulated time, shared by every physical clock

	n := 2 + r.IntN(4)
	reps := make([]*replica, n)
	for i := range reps {
		offset := time.Duration(r.IntN(4001)-2000) * time.Millisecond // clock skew
		node := fmt.Sprintf("dev%d", i)
		reps[i] = &replica{node: node, docs: map[string]sync.Doc{}}
		reps[i].clock = sync.NewClock(node, func() time.Time {
			jitter := time.Duration(r.IntN(5)-2) * time.Millisecond // clocks step back a little too
			return base.Add(elapsed + offset + jitter)
		})
	}
	docIDs := []string{"s1", "s2", "s3"}[:1+r.IntN(3)]

	var pending, lost []message
	var writes []write
	deliver := func(m message) error {
		rep := reps[m.to]
		if ts, err := sync.ParseTimestamp(m.doc.MaxTS()); err == nil {
			rep.clock.Update(ts)
		}
		rep.docs[m.doc.ID] = sync.Merge(rep.docs[m.doc.ID], m.doc)
		return nil
	}
	edit := func(i int) error {
		rep := reps[i]
		id := docIDs[r.IntN(len(docIDs))]
		cur := rep.docs[id]
		delta := sync.Doc{ID: id, Type: training.TypeSession, Fields: map[string]sync.Field{}}
		for range 1 + r.IntN(3) {
			name := propertyFields[r.IntN(len(propertyFields))]
			if _, dup := delta.Fields[name]; dup {
				continue
			}
			var v any
			switch name {
			case "deleted":
				v = r.IntN(3) > 0
			case "note":
				v = fmt.Sprintf("%s wrote %d <&>", rep.node, len(writes))
			case "protocol":
				v = []string{"4x4", "3x3", "tabata", "custom"}[r.IntN(4)]
			case "durationMin":
				v = float64(r.IntN(600)) / 2
			case "sessionRpe":
				v = r.IntN(11)
			default:
				v = 1 + r.IntN(5)
			}
			if r.IntN(10) == 0 && name != "deleted" {
				v = nil // clear the field
			}
			val, err := sync.EncodeValue(v)
			if err != nil {
				return err
			}
			ts := rep.clock.Now().String()
			if prev, ok := cur.Fields[name]; ok && ts <= prev.TS {
				return fmt.Errorf("%s stamped %s after seeing %s on %s.%s", rep.node, ts, prev.TS, id, name)
			}
			if r.IntN(50) == 0 && len(writes) > 0 {
				// Reuse an existing stamp (a restored backup of a device):
				// equal stamps must still converge, by value bytes.
				ts = writes[r.IntN(len(writes))].f.TS
			}
			f := sync.Field{Value: val, TS: ts}
			delta.Fields[name] = f
			writes = append(writes, write{id, name, f})
		}
		if err := training.Validate(delta); err != nil {
			return err
		}
		if ts, err := sync.ParseTimestamp(delta.MaxTS()); err == nil {
			rep.clock.Update(ts) // a reused stamp may be ahead of this clock
		}
		rep.docs[id] = sync.Merge(rep.docs[id], delta)
		for j := range reps {
			if j == i {
				continue
			}
			doc := delta
			if r.IntN(4) == 0 {
				doc = rep.docs[id] // state-based: send the whole document
			}
			pending = append(pending, message{to: j, doc: doc})
		}
		return nil
	}

	steps := 10 + r.IntN(40)
	for range steps {
		elapsed += time.Duration(r.IntN(4)) * time.Millisecond
		switch op := r.IntN(10); {
		case op < 4:
			if err := edit(r.IntN(n)); err != nil {
				return err
			}
		case len(pending) > 0:
			k := r.IntN(len(pending))
			m := pending[k]
			switch p := r.IntN(20); {
			case p < 3: // lost: retried at the end
				lost = append(lost, m)
				pending = append(pending[:k], pending[k+1:]...)
			case p < 6: // duplicated: delivered now and again later
				if err := deliver(m); err != nil {
					return err
				}
			default:
				if err := deliver(m); err != nil {
					return err
				}
				pending = append(pending[:k], pending[k+1:]...)
			}
		}
	}
	// Retry: everything still in flight and everything lost arrives, in a
	// random order, some of it twice.
	rest := append(pending, lost...)
	r.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	for _, m := range rest {
		if err := deliver(m); err != nil {
			return err
		}
		if r.IntN(5) == 0 {
			if err := deliver(m); err != nil {
				return err
			}
		}
	}

	// Every replica holds identical documents.
	for i := 1; i < n; i++ {
		if len(reps[i].docs) != len(reps[0].docs) {
			return fmt.Errorf("%s has %d docs, %s has %d", reps[i].node, len(reps[i].docs), reps[0].node, len(reps[0].docs))
		}
		for id, d := range reps[0].docs {
			if !reps[i].docs[id].Equal(d) {
				return fmt.Errorf("%s and %s differ on %s:\n%s\n%s", reps[0].node, reps[i].node, id, docString(d), docString(reps[i].docs[id]))
			}
		}
	}
	// Each field holds the largest (timestamp, value) written to it.
	winners := map[[2]string]sync.Field{}
	for _, w := range writes {
		k := [2]string{w.doc, w.field}
		if cur, ok := winners[k]; !ok || w.f.TS > cur.TS || w.f.TS == cur.TS && bytes.Compare(w.f.Value, cur.Value) > 0 {
			winners[k] = w.f
		}
	}
	count := 0
	for _, d := range reps[0].docs {
		count += len(d.Fields)
	}
	if count != len(winners) {
		return fmt.Errorf("%d fields converged, %d written", count, len(winners))
	}
	for k, want := range winners {
		got := reps[0].docs[k[0]].Fields[k[1]]
		if got.TS != want.TS || !bytes.Equal(got.Value, want.Value) {
			return fmt.Errorf("%s.%s = %s@%s, want %s@%s", k[0], k[1], got.Value, got.TS, want.Value, want.TS)
		}
	}
	return nil
}
