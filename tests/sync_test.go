package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/internal/apitest"
	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/store/mongostore"
	"github.com/hit4x4/dagbok/store/mongostore/ferrettest"
	"github.com/hit4x4/dagbok/store/sqlitestore"
	"github.com/hit4x4/dagbok/sync"
)

// TestDevicesConverge has three devices of one patient edit the same
// sessions offline and sync in a random order, with batches re-sent after
// they were acknowledged and pages cut small. In the end every device holds
// the same documents, and they are the merge of every edit ever made.
func TestDevicesConverge(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	first := signUp(t, srv.URL, "kari@example.no")
	devices := []*device{newDevice("phone", first)}
	for _, name := range []string{"tablet", "laptop"} {
		c := newClient(t, srv.URL)
		c.login("kari@example.no")
		devices = append(devices, newDevice(name, c))
	}
	ids := []string{newID(), newID(), newID(), newID()}
	all := map[string]sync.Doc{} // the merge of every edit, the expected end state
	var acked []batch
	rng := rand.New(rand.NewPCG(7, 11))

	for round := 0; round < 60; round++ {
		d := devices[rng.IntN(len(devices))]
		switch rng.IntN(5) {
		case 0, 1: // edit offline
			id := ids[rng.IntN(len(ids))]
			fields := map[string]any{"note": fmt.Sprintf("%s round %d", d.name, round), "sessionRpe": rng.IntN(11)}
			if rng.IntN(6) == 0 {
				fields = map[string]any{"deleted": rng.IntN(2) == 0}
			}
			d.edit(id, "session", fields)
			last := d.outbox[len(d.outbox)-1]
			for _, doc := range last.Docs {
				all[doc.ID] = sync.Merge(all[doc.ID], doc)
			}
		case 2: // push one batch
			if len(d.outbox) > 0 {
				b := d.outbox[0]
				if _, err := d.pushOne(ctx); err != nil {
					t.Fatal(err)
				}
				acked = append(acked, b)
			}
		case 3: // a batch whose answer was lost arrives again
			if len(acked) > 0 {
				b := acked[rng.IntN(len(acked))]
				d.outbox = append([]batch{b}, d.outbox...)
				if _, err := d.pushOne(ctx); err != nil {
					t.Fatal(err)
				}
			}
		case 4:
			if err := d.pull(ctx, 1+rng.IntN(3)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, d := range devices {
		if err := d.sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range devices {
		if err := d.pull(ctx, 50); err != nil {
			t.Fatal(err)
		}
	}
	sameDocs(t, devices...)
	want, _ := json.Marshal(all)
	got, _ := json.Marshal(devices[0].docs)
	if string(got) != string(want) {
		t.Fatalf("devices converged on something other than the merge of every edit:\n got %s\nwant %s", got, want)
	}
}

// TestDeleteAndConcurrentEdit: one device deletes a session while another,
// offline, edits its note. Deletion is a field like any other: both edits
// survive, the session stays deleted, and both devices agree.
func TestDeleteAndConcurrentEdit(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	clock := apitest.NewClock(time.Now())
	phone := newDevice("phone", signUp(t, srv.URL, "ola@example.no")).onClock(clock.Now)
	tc := newClient(t, srv.URL)
	tc.login("ola@example.no")
	tablet := newDevice("tablet", tc).onClock(clock.Now)

	id := newID()
	phone.edit(id, "session", map[string]any{"protocol": "4x4", "note": "tung dag"})
	mustSync(t, ctx, phone, tablet)

	phone.edit(id, "session", map[string]any{"deleted": true})
	clock.Advance(time.Millisecond) // the tablet's edit is the later one
	tablet.edit(id, "session", map[string]any{"note": "gikk bra likevel"})
	mustSync(t, ctx, tablet, phone, tablet)

	sameDocs(t, phone, tablet)
	doc := phone.docs[id]
	if !doc.Deleted() {
		t.Fatalf("the session came back: %+v", doc)
	}
	if got := string(doc.Fields["note"].Value); got != `"gikk bra likevel"` {
		t.Fatalf("note = %s, want the tablet's later edit", got)
	}

	// Undo on the tablet: a later deleted=false wins over the tombstone.
	tablet.edit(id, "session", map[string]any{"deleted": false})
	mustSync(t, ctx, tablet, phone)
	sameDocs(t, phone, tablet)
	if phone.docs[id].Deleted() {
		t.Fatal("undo of the delete did not reach the phone")
	}
}

func mustSync(t *testing.T, ctx context.Context, devices ...*device) {
	t.Helper()
	for _, d := range devices {
		if err := d.sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// followWhilePushing runs pushers concurrently against the given servers (one
// per pusher, round robin), each pushing batches of one new session plus an
// edit of a session they all share, while a puller follows the cursor. When
// the pushers are done the puller catches up once more; it must then hold
// every document, identical to what the store holds (read straight from the
// database by open) and to a fresh pull of the whole scope.
func followWhilePushing(t *testing.T, bases []string, pushers, batches int, open func(t *testing.T) store.Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const email = "ida@example.no"

	// Devices share one sign-in: the login rate limit is not under test here.
	token := signUp(t, bases[0], email).api.Token
	deviceAt := func(name string, base string) *device {
		c := newClient(t, base)
		c.api.Token = token
		return newDevice(name, c)
	}
	shared := newID()

	var wg gosync.WaitGroup
	errs := make(chan error, pushers)
	for p := range pushers {
		d := deviceAt(fmt.Sprintf("pusher%d", p), bases[p%len(bases)])
		wg.Go(func() {
			for i := range batches {
				d.editBatch(map[string]map[string]any{
					newID(): {"note": fmt.Sprintf("%s batch %d", d.name, i)},
					shared:  {"note": fmt.Sprintf("%s batch %d", d.name, i)},
				}, "session")
				if err := d.push(ctx); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	puller := deviceAt("puller", bases[len(bases)-1])
	for following := true; following; {
		select {
		case <-done:
			following = false
		case err := <-errs:
			t.Fatal(err)
		default:
		}
		if err := puller.pull(ctx, 37); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	if err := puller.pull(ctx, 37); err != nil {
		t.Fatal(err)
	}

	fresh := deviceAt("fresh", bases[0])
	if err := fresh.pull(ctx, 1000); err != nil {
		t.Fatal(err)
	}
	if want := pushers*batches + 1; len(fresh.docs) != want {
		t.Fatalf("the scope holds %d documents, want %d", len(fresh.docs), want)
	}
	sameDocs(t, fresh, puller)

	var me struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	fresh.c.must(http.MethodGet, "/api/v1/me", nil, &me, http.StatusOK)
	st := open(t)
	defer st.Close()
	docs, err := st.Docs(ctx, me.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored := &device{name: "store", docs: map[string]sync.Doc{}}
	for _, d := range docs {
		stored.docs[d.ID] = d
	}
	sameDocs(t, stored, puller)
}

// TestNoSkippedWriteSQLite: 8 concurrent pushers × 100 batches on one scope
// while a puller follows the cursor, on the default store.
func TestNoSkippedWriteSQLite(t *testing.T) {
	dataDir := t.TempDir()
	srv := startServer(t, "DATA_DIR="+dataDir)
	followWhilePushing(t, []string{srv.URL}, 8, 100, func(t *testing.T) store.Store {
		// A second connection to the serving database: WAL lets it read.
		st, err := sqlitestore.Open(context.Background(), sqlitestore.Config{Path: filepath.Join(dataDir, "app.db")})
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

// TestNoSkippedWriteTwoInstancesMongo: the same with two server instances
// sharing one Mongo store (an in-test FerretDB), pushers spread over both —
// the change log's sequence numbers stay dense with no transactions.
func TestNoSkippedWriteTwoInstancesMongo(t *testing.T) {
	db := ferrettest.Start(t)
	// One secret for both, as behind a load balancer.
	env := []string{"MONGODB_URI=" + db.URI(), "MONGODB_DB=e2e", "JWT_SECRET=e2e-shared-signing-secret-of-enough-length"}
	a := startServer(t, env...)
	b := startServer(t, env...)
	followWhilePushing(t, []string{a.URL, b.URL}, 8, 100, func(t *testing.T) store.Store {
		st, err := mongostore.Open(context.Background(), mongostore.Config{URI: db.URI(), Database: "e2e"})
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

// TestCrashDuringPushes kills the server (SIGKILL, no shutdown) while a
// device pushes, starts it again on the same data folder, and lets the
// device retry what was not acknowledged. Nothing acknowledged is lost and
// the server ends with exactly what the device holds.
func TestCrashDuringPushes(t *testing.T) {
	dataDir := t.TempDir()
	srv := launch(t, "DATA_DIR="+dataDir)
	ctx := context.Background()
	phone := newDevice("phone", signUp(t, srv.URL, "per@example.no"))

	for i := range 200 {
		phone.edit(newID(), "session", map[string]any{"note": fmt.Sprintf("økt %d", i), "sessionRpe": i % 11})
	}
	// The phone pushes one batch after the other; the server is killed once
	// 20 are acknowledged, with the next push in flight or about to start.
	twenty, pushed := make(chan struct{}), make(chan int)
	go func() {
		n := 0
		for {
			ok, err := phone.pushOne(ctx)
			if err != nil || !ok {
				pushed <- n
				return
			}
			if n++; n == 20 {
				close(twenty)
			}
		}
	}()
	<-twenty
	srv.kill()
	acked := <-pushed
	if acked == 200 {
		t.Fatal("every batch was acknowledged before the crash; the test proves nothing")
	}
	t.Logf("%d of 200 batches acknowledged before the crash", acked)

	srv = startServer(t, "DATA_DIR="+dataDir)
	phone.c.api.Base = srv.URL
	if err := phone.sync(ctx); err != nil {
		t.Fatal(err)
	}
	fc := newClient(t, srv.URL)
	fc.login("per@example.no")
	fresh := newDevice("fresh", fc)
	if err := fresh.pull(ctx, 1000); err != nil {
		t.Fatal(err)
	}
	if len(fresh.docs) != 200 {
		t.Fatalf("server holds %d sessions after the crash and retry, want 200", len(fresh.docs))
	}
	sameDocs(t, phone, fresh)
	if strings.Contains(srv.logs.String(), `"level":"ERROR"`) {
		t.Fatalf("the restarted server logged errors:\n%s", srv.logs)
	}
}
