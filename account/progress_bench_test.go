package account_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/store/sqlitestore"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
)

// BenchmarkGroupProgress measures a group page of 200 members with a year
// of sessions each (three a week, 156 documents per member, 31,200 in
// all) against the raw read of the same documents (Store.Docs of every
// member) in the same run, in turn, round by round. The target is a page
// in at most 10× the raw read: reading, judging and summing the sessions
// and writing 200 audit entries may cost that much over fetching them.
//
//	go test ./account -run '^$' -bench GroupProgress -benchtime 20x
func BenchmarkGroupProgress(b *testing.B) {
	const members, weeks, perWeek = 200, 52, 3
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, sqlitestore.Config{Path: filepath.Join(b.TempDir(), "app.db")})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
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

	var raw, page []time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		n := 0
		for _, id := range ids {
			docs, err := st.Docs(ctx, id)
			if err != nil {
				b.Fatal(err)
			}
			n += len(docs)
		}
		raw = append(raw, time.Since(start))
		if n != members*weeks*perWeek {
			b.Fatalf("read %d documents", n)
		}
		start = time.Now()
		p, err := clinic.Progress(ctx, trainer, "g", 12)
		if err != nil {
			b.Fatal(err)
		}
		page = append(page, time.Since(start))
		if len(p.Members) != members {
			b.Fatalf("%d members on the page", len(p.Members))
		}
	}
	b.StopTimer()
	b.ReportMetric(median(raw).Seconds()*1000, "raw-ms")
	b.ReportMetric(median(page).Seconds()*1000, "page-ms")
	b.ReportMetric(float64(sum(page))/float64(sum(raw)), "page/raw")
	b.ReportMetric(float64(median(page))/float64(median(raw)), "page/raw-median")
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func sum(ds []time.Duration) time.Duration {
	var t time.Duration
	for _, d := range ds {
		t += d
	}
	return t
}
