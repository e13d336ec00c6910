package mongostore_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/hit4x4/dagbok/account"
	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/internal/apitest"
	"github.com/hit4x4/dagbok/store/mongostore"
	"github.com/hit4x4/dagbok/sync"
	"github.com/hit4x4/dagbok/sync/synctest"
)

// TestStorageFullThroughAPI runs the API on the Mongo store and makes the
// server run out of disk in the middle of a push, after the documents are
// written and before the change log is (the answer a MongoDB with a full
// disk gives: OutOfDiskSpace). The push answers 507 storage_full, /readyz
// 503 and the metric 1; every push acknowledged before is pulled back
// whole and nothing of the failed one shows; once there is room, the
// client's retry of the same batch is taken and all is well again.
func TestStorageFullThroughAPI(t *testing.T) {
	full := mongo.CommandError{Code: 14031, Name: "OutOfDiskSpace", Message: "Insufficient free space for journal files"}
	var diskFull atomic.Bool
	st := openAt(t, ferretURI(t), mongostore.Config{})
	mongostore.SetAfterDocWrite(st, failWhile(&diskFull, full))
	closeStore(t, st)
	clk := apitest.NewClock(base)
	h, err := api.New(api.Config{Store: st, Secret: []byte("test-secret-0123456789-abcdefghijklmnop"), Now: clk.Now,
		Argon2: account.Argon2Params{Memory: 1024, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	spec, err := apitest.LoadSpec(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	c := &apitest.Client{Base: srv.URL, HTTP: srv.Client(), Spec: spec}
	do := func(r apitest.Request) *apitest.Response {
		t.Helper()
		return c.Do(t, r)
	}

	login := map[string]string{"email": "full@example.org", "password": "correct horse battery"}
	c.Must(t, apitest.Request{Method: "POST", Path: "/api/v1/auth/register",
		Body: map[string]string{"email": login["email"], "password": login["password"], "name": "Pat"}}, http.StatusCreated, nil)
	var signedIn struct{ AccessToken string }
	c.Must(t, apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: login}, http.StatusOK, &signedIn)
	c.Token = signedIn.AccessToken

	batch := func(n int) []sync.Doc {
		docs := make([]sync.Doc, 5)
		for i := range docs {
			docs[i] = synctest.Session(t, fmt.Sprintf("d%d-%d", n, i), synctest.Stamp(clk.Now(), "phone"), "note", strings.Repeat("y", 200))
		}
		return docs
	}
	push := func(n int) *apitest.Response {
		t.Helper()
		return do(apitest.Request{Method: "POST", Path: "/api/v1/sync/push",
			Body: sync.PushRequest{BatchID: fmt.Sprint("b", n), Docs: batch(n)}})
	}
	pulled := func() map[string]sync.Doc {
		t.Helper()
		held := map[string]sync.Doc{}
		for cursor := "0"; ; {
			var page sync.PullResponse
			c.Must(t, apitest.Request{Method: "GET", Path: "/api/v1/sync/pull?cursor=" + cursor + "&limit=7"}, http.StatusOK, &page)
			for _, d := range page.Docs {
				held[d.ID] = d
			}
			if !page.More {
				return held
			}
			cursor = page.Cursor
		}
	}
	metric := func() string {
		t.Helper()
		for line := range strings.Lines(string(do(apitest.Request{Method: "GET", Path: "/metrics"}).Body)) {
			if strings.HasPrefix(line, "dagbok_storage_full ") {
				return strings.TrimSpace(line)
			}
		}
		t.Fatal("no dagbok_storage_full in /metrics")
		return ""
	}

	acked := map[string]sync.Doc{}
	for n := range 3 {
		if r := push(n); r.Status != http.StatusOK {
			t.Fatalf("push %d: %d %s", n, r.Status, r.Body)
		}
		for _, d := range batch(n) {
			acked[d.ID] = d
		}
	}

	diskFull.Store(true)
	push(3).ExpectError(t, http.StatusInsufficientStorage, api.CodeStorageFull)
	do(apitest.Request{Method: "GET", Path: "/readyz"}).ExpectError(t, http.StatusServiceUnavailable, api.CodeUnavailable)
	if got := metric(); got != "dagbok_storage_full 1" {
		t.Fatalf("metric %q while the disk is full", got)
	}
	sameDocs(t, pulled(), acked)

	diskFull.Store(false)
	if r := push(3); r.Status != http.StatusOK {
		t.Fatalf("the retried push once there is room: %d %s", r.Status, r.Body)
	}
	for _, d := range batch(3) {
		acked[d.ID] = d
	}
	if r := do(apitest.Request{Method: "GET", Path: "/readyz"}); r.Status != http.StatusOK {
		t.Fatalf("/readyz after a push was taken again: %d %s", r.Status, r.Body)
	}
	if got := metric(); got != "dagbok_storage_full 0" {
		t.Fatalf("metric %q after a push was taken again", got)
	}
	sameDocs(t, pulled(), acked)
}

// sameDocs fails unless got holds exactly the documents of want.
func sameDocs(t *testing.T, got, want map[string]sync.Doc) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("pulled %d documents, want %d", len(got), len(want))
	}
	for id, d := range want {
		if !got[id].Equal(d) {
			t.Fatalf("pulled %s = %+v, want %+v", id, got[id], d)
		}
	}
}
