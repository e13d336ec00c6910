package tests

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"

	"github.com/hit4x4/dagbok/internal/apitest"
)

// TestBrowserBackgroundSync: a session logged offline reaches the server
// through Background Sync after the user closed the app. The phone saves
// it offline, every page of the app is closed, the network comes back, and
// the browser fires the service worker's sync event (dispatched here over
// DevTools, as Chromium does on its own once it sees the network). With no
// page to hand the sync to, the worker gets an access token from the
// refresh cookie, pushes the outbox and pulls, and the server holds the
// session before any page of the app is opened again.
func TestBrowserBackgroundSync(t *testing.T) {
	srv := startServer(t)
	siri, phone, p := newPhone(t, srv, "siri@example.no")

	phone.setOffline(true)
	p.logManually("Sendt i bakgrunnen", 36, 14, 15, 16, 16)
	if n := p.outboxLen(); n != 1 {
		t.Fatalf("outbox holds %d changes after one offline save, want 1", n)
	}
	phone.gate.noLeaks(t)
	// The user swipes the app away; its service worker stays registered.
	// (Offline mode is not checked again from here on: DevTools lets go of
	// a closing tab, and with it of the tab's offline mode, a moment before
	// the page ends, and the page may still try to reach the server then;
	// the gate drops whatever it sends.)
	p.close()
	regID := phone.registrationID(phone.gate.URL + "/")
	if docs := serverDocs(t, siri); len(docs) != 0 {
		t.Fatalf("the server has documents before the phone was online: %v", docs)
	}
	if pages := phone.appPages(); pages != 0 {
		t.Fatalf("%d pages of the app are still open", pages)
	}

	phone.setOffline(false)
	before := phone.gate.logLen()
	ctx, cancel := context.WithTimeout(phone.ctx, stepTimeout)
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, serviceworker.DispatchSyncEvent, serviceworker.DispatchSyncEventParams{
			Origin: phone.gate.URL, RegistrationID: regID, Tag: "dagbok-sync", LastChance: false,
		})
		return err
	}))
	cancel()
	if err != nil {
		t.Fatalf("dispatching the sync event: %v", err)
	}

	err = apitest.Poll(t.Context(), 20*time.Second, func() bool {
		for _, d := range serverDocs(t, siri) {
			if d.Type == "session" && noteOf(t, d) == "Sendt i bakgrunnen" && !d.Deleted() {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("the session never reached the server; the server holds %v; the phone's calls:\n%s", serverDocs(t, siri), phone.gate.calls())
	}
	if pages := phone.appPages(); pages != 0 {
		t.Fatalf("%d pages of the app were open during the background sync", pages)
	}
	calls := phone.gate.callsSince(before)
	for _, want := range []string{"/api/v1/auth/refresh → 200", "/api/v1/sync/push → 200", "/api/v1/sync/pull → 200"} {
		if !strings.Contains(calls, want) {
			t.Errorf("the background sync made no call %q; calls:\n%s", want, calls)
		}
	}

	// The device knows it is done: its outbox is empty once the worker
	// has finished (read without opening a page of the app).
	phone.waitWorkerJS("the outbox to empty", idbJS+`('outbox').then((l) => l.length === 0)`)

	// Opened again, the app shows the session as synced.
	p = phone.open("/history")
	p.waitVisible("session-list")
	p.waitSynced()
	if notes := p.historyNotes(); len(notes) != 1 || notes[0] != "Sendt i bakgrunnen" {
		t.Errorf("history after the background sync shows %q", notes)
	}
	if n := phone.gate.count("POST /api/v1/sync/push → 200"); n != 1 {
		t.Errorf("the session was pushed %d times, want once (by the worker)", n)
	}
}

// registrationID returns the id of the service-worker registration with
// the given scope, as DevTools' ServiceWorker domain reports it.
func (b *browser) registrationID(scope string) serviceworker.RegistrationID {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	found := make(chan serviceworker.RegistrationID, 1)
	if err := chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*serviceworker.EventWorkerRegistrationUpdated); ok {
			for _, r := range ev.Registrations {
				if r.ScopeURL == scope && !r.IsDeleted {
					select {
					case found <- r.RegistrationID:
					default:
					}
				}
			}
		}
	}); err != nil {
		b.t.Fatalf("%s: listening for service workers: %v", b.name, err)
	}
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, serviceworker.Enable, cdp.Empty{})
		return err
	}))
	if err != nil {
		b.t.Fatalf("%s: enabling the ServiceWorker domain: %v", b.name, err)
	}
	select {
	case id := <-found:
		return id
	case <-ctx.Done():
		b.t.Fatalf("%s: no service-worker registration for %s", b.name, scope)
		return ""
	}
}

// appPages counts the browser's open pages of the app (on the gate's
// origin).
func (b *browser) appPages() int {
	b.t.Helper()
	infos, err := chromedp.Targets(b.ctx)
	if err != nil {
		b.t.Fatalf("%s: listing targets: %v", b.name, err)
	}
	n := 0
	for _, info := range infos {
		if info.Type == "page" && strings.HasPrefix(info.URL, b.gate.URL) {
			n++
		}
	}
	return n
}

// waitWorkerJS polls a JavaScript condition in the browser's running
// service workers until one of them finds it true, or fails the test after
// stepTimeout.
func (b *browser) waitWorkerJS(what, cond string) {
	b.t.Helper()
	var last error
	err := apitest.Poll(b.ctx, stepTimeout, func() bool {
		b.mu.Lock()
		var workers []*worker
		for _, w := range b.workers {
			workers = append(workers, w)
		}
		b.mu.Unlock()
		for _, w := range workers {
			<-w.ready
			if !w.ok {
				continue
			}
			ctx, cancel := context.WithTimeout(w.ctx, 5*time.Second)
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("Promise.resolve("+cond+").then((v) => !!v)", chromedp.EvalAwaitPromise))
			cancel()
			if err == nil && ok {
				return true
			}
			last = err
		}
		return false
	})
	if err != nil {
		b.t.Fatalf("%s: waiting in the service worker for %s (%s): %v (last error %v)", b.name, what, cond, err, last)
	}
}

// logLen returns how many API calls the gate has logged.
func (g *gate) logLen() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.apiLog)
}

// callsSince returns the gate's log of API calls after the first n.
func (g *gate) callsSince(n int) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return strings.Join(g.apiLog[n:], "\n")
}

// count returns how many of the gate's logged API calls contain s.
func (g *gate) count(s string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, line := range g.apiLog {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}
