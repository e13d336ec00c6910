package scenario

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/internal/bench"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
)

// GroupProgress alternates a group page of members patients with weeks of
// sessions each (three a week) with the raw read of the same documents
// (Store.Docs of every member). Ratio page/raw: page time ÷ raw time
// (target ≤ 10: reading, judging and summing the sessions and writing an
// audit entry per member may cost that much over fetching them).
func GroupProgress(members, weeks int) func(b *testing.B) {
	return GroupProgressOn(SQLite, members, weeks)
}

// GroupProgressOn is GroupProgress on the stores open opens.
func GroupProgressOn(open Opener, members, weeks int) func(b *testing.B) {
	const perWeek = 3
	return func(b *testing.B) {
		ctx := context.Background()
		st := open(b)
		now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		trainer := store.User{ID: "trainer", Email: "t@example.org", Name: "Trener", Role: store.RoleTrainer, TimeZone: "Europe/Oslo", CreatedAt: now, UpdatedAt: now}
		if err := st.CreateUser(ctx, trainer); err != nil {
			b.Fatal(err)
		}
		if err := st.CreateGroup(ctx, store.Group{ID: "g", Name: "G", Kind: store.GroupTreatment, OwnerID: trainer.ID, CreatedAt: now}); err != nil {
			b.Fatal(err)
		}
		ids := make([]string, members)
		for m := range members {
			id := fmt.Sprintf("p%03d", m)
			ids[m] = id
			u := store.User{ID: id, Email: id + "@example.org", Name: "Pasient " + id, Role: store.RolePatient, TimeZone: "Europe/Oslo", BirthYear: 1960 + m%30, CreatedAt: now, UpdatedAt: now}
			if err := st.CreateUser(ctx, u); err != nil {
				b.Fatal(err)
			}
			if err := st.AddMember(ctx, store.Membership{GroupID: "g", UserID: id, JoinedAt: now.AddDate(-1, 0, -7), Sharing: store.Sharing{History: true}}); err != nil {
				b.Fatal(err)
			}
			ts := synctest.Stamp(now, "phone")
			docs := make([]sync.Doc, 0, weeks*perWeek)
			for w := range weeks {
				for s := range perWeek {
					at := now.AddDate(0, 0, -7*w-2*s)
					docs = append(docs, synctest.Session(b, fmt.Sprintf("s%02d-%d", w, s), ts,
						"protocol", "4x4", "startedAt", at.Format(time.RFC3339), "durationMin", 38, "sessionRpe", 6+s,
						"moodBefore", 3, "moodAfter", 4, "note", "ok",
						"intervals", []map[string]int{{"rpe": 14, "hrPeak": 160}, {"rpe": 15, "hrPeak": 165}, {"rpe": 16, "hrPeak": 170}, {"rpe": 17, "hrPeak": 172}}))
				}
			}
			if _, err := st.Push(ctx, id, "seed", docs); err != nil {
				b.Fatal(err)
			}
		}
		clinic := account.NewClinic(st, sync.NewClock("server", clock), clock, rand.Reader)
		rawStep := func() error {
			n := 0
			for _, id := range ids {
				docs, err := st.Docs(ctx, id)
				if err != nil {
					return err
				}
				n += len(docs)
			}
			if n != members*weeks*perWeek {
				return fmt.Errorf("read %d documents", n)
			}
			return nil
		}
		pageStep := func() error {
			p, err := clinic.Progress(ctx, trainer, "g", 12)
			if err == nil && len(p.Members) != members {
				err = fmt.Errorf("%d members on the page", len(p.Members))
			}
			return err
		}
		var raw, op bench.Spent
		b.ResetTimer()
		for i := range b.N {
			bench.Alternate(b, i, &raw, &op, rawStep, pageStep)
		}
		bench.ReportTimes(b, "page/raw", raw, op)
	}
}
