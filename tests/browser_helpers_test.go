package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/hit4x4/dagbok/internal/apitest"
	"github.com/hit4x4/dagbok/sync"
)

// chromiumPath is Debian's Chromium; the browser tests skip when it is missing.
const chromiumPath = "/usr/bin/chromium"

// stepTimeout bounds every single wait of a browser test.
const stepTimeout = 20 * time.Second

// clockScript runs in every document before the page's own scripts. It
// makes Date (Date.now() and new Date() without arguments) run at the real
// time plus an offset kept in localStorage, so the test can move the app's
// wall clock and a reload keeps the same offset. Nothing in the product
// knows about it.
const clockScript = `(() => {
  const RealDate = Date;
  const key = '__testClockOffsetMs';
  const offset = () => { try { return Number(localStorage.getItem(key)) || 0; } catch (e) { return 0; } };
  const now = () => RealDate.now() + offset();
  globalThis.Date = new Proxy(RealDate, {
    construct(target, args, newTarget) {
      return Reflect.construct(target, args.length ? args : [now()], newTarget);
    },
    apply() { return new RealDate(now()).toString(); },
    get(target, prop, receiver) {
      if (prop === 'now') return now;
      return Reflect.get(target, prop, receiver);
    },
  });
  globalThis.__testClock = {
    offset,
    set(ms) { localStorage.setItem(key, String(ms)); return offset(); },
    setNow(ms) { localStorage.setItem(key, String(ms - RealDate.now())); return offset(); },
  };
})();`

// gate is one device's network path to the server: a reverse proxy on a
// loopback port of its own. The browser only ever talks to the gate, so
//   - the app's origin (and with it the service worker, IndexedDB and
//     cookies) stays the same when the server behind it is restarted;
//   - the test sees every request the device makes, and while the device is
//     meant to be offline any request that still arrives is recorded as a
//     leak and its connection dropped, as a dead network would.
//
// One kind of request is known to pass DevTools' offline mode: the browser
// process's update check of the service worker script (sent with the header
// "Service-Worker: script" when a page registers the worker). No page or
// worker code sees that request, so the gate drops it like any other while
// offline but counts it apart instead of as a leak.
type gate struct {
	URL string

	srv *http.Server

	mu           gosync.Mutex
	backend      *url.URL
	offline      bool
	leaks        []string
	updateChecks int
	apiLog       []string // API calls and their status (with the body of errors), for failure reports

	loseRefresh bool // refresh requests reach the server, their answers never the browser
	lostRefresh int  // how many answers were lost so
}

// sentBody is the context key under which the gate keeps a request's body
// for its log.
type sentBody struct{}

// clip shortens a body for the log.
func clip(b []byte) string {
	const most = 600
	if len(b) > most {
		return string(b[:most]) + "…"
	}
	return string(b)
}

// newGate starts a gate in front of backend; it is closed in t.Cleanup.
func newGate(t *testing.T, backend string) *gate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{URL: "http://" + ln.Addr().String()}
	g.setBackend(t, backend)
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			g.mu.Lock()
			b := g.backend
			g.mu.Unlock()
			r.SetURL(b)
			r.Out.Host = r.In.Host // the server sees the origin the browser uses
		},
		ModifyResponse: func(res *http.Response) error {
			if !strings.HasPrefix(res.Request.URL.Path, "/api/") {
				return nil
			}
			line := fmt.Sprintf("%s %s %s → %d", time.Now().Format("15:04:05.000"), res.Request.Method, res.Request.URL.Path, res.StatusCode)
			if sent, ok := res.Request.Context().Value(sentBody{}).([]byte); ok {
				line += " sent " + clip(sent)
			}
			var err error
			if res.StatusCode >= 400 {
				var body []byte
				body, err = io.ReadAll(res.Body)
				res.Body.Close()
				res.Body = io.NopCloser(bytes.NewReader(body))
				line += " " + clip(body)
			}
			g.mu.Lock()
			g.apiLog = append(g.apiLog, line)
			g.mu.Unlock()
			return err
		},
		ErrorLog: log.New(io.Discard, "", 0),
	}
	g.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		offline := g.offline
		switch {
		// An update check fetches the worker's script and, for a module
		// worker, every module it imports (fetch destination
		// "serviceworker" for the whole graph): the browser's own check,
		// which it sends past DevTools' offline mode, not the app's.
		case offline && (r.Header.Get("Service-Worker") == "script" || r.Header.Get("Sec-Fetch-Dest") == "serviceworker"):
			g.updateChecks++
		case offline:
			g.leaks = append(g.leaks, r.Method+" "+r.URL.String())
		}
		g.mu.Unlock()
		if offline {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			http.Error(w, "offline", http.StatusBadGateway)
			return
		}
		g.mu.Lock()
		lose := g.loseRefresh && r.URL.Path == "/api/v1/auth/refresh"
		g.mu.Unlock()
		if lose {
			// The server answers; the connection drops before the
			// browser reads a byte of it, as on a weak network.
			proxy.ServeHTTP(httptest.NewRecorder(), r)
			g.mu.Lock()
			g.lostRefresh++
			g.mu.Unlock()
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			http.Error(w, "lost", http.StatusBadGateway)
			return
		}
		if r.Method == http.MethodPatch || r.URL.Path == "/api/v1/sync/push" {
			// Keep what was sent (its start) for the failure report.
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r = r.WithContext(context.WithValue(r.Context(), sentBody{}, body))
		}
		proxy.ServeHTTP(w, r)
	}), ReadHeaderTimeout: 10 * time.Second}
	go g.srv.Serve(ln)
	t.Cleanup(func() { g.srv.Close() })
	return g
}

// setBackend points the gate at a (restarted) server.
func (g *gate) setBackend(t *testing.T, backend string) {
	t.Helper()
	u, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	g.mu.Lock()
	g.backend = u
	g.mu.Unlock()
}

func (g *gate) setOffline(offline bool) {
	g.mu.Lock()
	g.offline = offline
	g.mu.Unlock()
}

// loseRefreshAnswers makes every refresh reach the server while its
// answer is lost on the way back (lose), or lets them through again.
func (g *gate) loseRefreshAnswers(lose bool) {
	g.mu.Lock()
	g.loseRefresh = lose
	g.mu.Unlock()
}

// refreshesLost is how many refresh answers the gate has lost.
func (g *gate) refreshesLost() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.lostRefresh
}

// noLeaks fails the test if a request of the page or of its service worker
// got through while the device was offline: the browser's offline mode did
// not hold.
func (g *gate) noLeaks(t *testing.T) {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.leaks) > 0 {
		t.Errorf("requests reached the network while the browser was offline: %v", g.leaks)
	}
	if g.updateChecks > 0 {
		t.Logf("the gate dropped %d service-worker update checks while offline (the browser sends them past DevTools' offline mode)", g.updateChecks)
	}
}

// browser is one Chromium process with a profile of its own: one device of
// a user. Its tabs share storage, service workers and cookies, as the tabs
// of one phone's browser do. Offline mode applies to every tab and to every
// service worker the browser runs.
type browser struct {
	t    *testing.T
	name string
	ctx  context.Context // the first tab; cancelling it stops Chromium
	gate *gate
	// initScripts run in every document of the tabs opened later, before
	// the page's own scripts (e.g. a stand-in for a device API).
	initScripts []string

	mu      gosync.Mutex
	offline bool
	tabs    map[*tab]bool
	workers map[target.ID]*worker // attached service-worker targets
}

// worker is an attached service-worker target.
type worker struct {
	ctx    context.Context
	cancel context.CancelFunc
	ready  chan struct{} // closed once attached (or given up)
	ok     bool          // attached; valid after ready is closed
	mu     gosync.Mutex  // serialises network switches on this worker
}

// newBrowser starts Chromium headless with a fresh profile in t.TempDir()
// and a 390×844 phone-sized window, set to Norwegian (navigator.languages
// nb-NO, nb), talking to the server through a gate of its own; it is
// stopped in t.Cleanup.
func newBrowser(t *testing.T, name, backend string) *browser {
	t.Helper()
	return newBrowserIn(t, name, backend, "nb-NO,nb")
}

// newBrowserIn is newBrowser for a phone set to other languages, given as
// an Accept-Language list (e.g. "en-US,en").
func newBrowserIn(t *testing.T, name, backend, languages string) *browser {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests do not run in -short mode")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("no Chromium at %s (install Debian's chromium, as the README's test command does): %v", chromiumPath, err)
	}
	g := newGate(t, backend)
	profile := filepath.Join(t.TempDir(), "profile")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(profile),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(390, 844),
		chromedp.Flag("accept-lang", languages),
		// A phone in Norway: the app's default time zone is Europe/Oslo
		// (each tab also gets the nb-NO locale).
		chromedp.Env("TZ=Europe/Oslo"),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		// Close Chromium gracefully, so that it flushes its profile; if it
		// hangs, cancelling the allocator kills it.
		closed := make(chan struct{})
		go func() {
			_ = chromedp.Cancel(ctx)
			close(closed)
		}()
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
		}
		cancel()
		acancel()
		// Child processes can still write to the profile for a moment;
		// empty it here so that t.TempDir's own removal succeeds.
		_ = apitest.Poll(context.Background(), time.Second, func() bool { return os.RemoveAll(profile) == nil })
	})
	if err := startBounded(ctx, 30*time.Second); err != nil {
		t.Fatalf("%s: starting Chromium: %v", name, err)
	}
	b := &browser{t: t, name: name, ctx: ctx, gate: g, tabs: map[*tab]bool{}, workers: map[target.ID]*worker{}}
	// Service workers start and stop on their own; each new one is
	// attached and gets the current network state.
	err := chromedp.ListenBrowser(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *target.EventTargetCreated:
			if ev.TargetInfo.Type == "service_worker" {
				go b.attachWorker(ev.TargetInfo.TargetID)
			}
		case *target.EventTargetDestroyed:
			go b.forgetWorker(ev.TargetID)
		}
	})
	if err != nil {
		t.Fatalf("%s: watching targets: %v", name, err)
	}
	return b
}

// startBounded makes the first run on a chromedp context, which starts the
// browser or opens the tab. That run binds the browser's or tab's life to
// the context it is given, so it cannot carry a deadline of its own; it is
// bounded from outside instead, and the context is cancelled on a timeout.
func startBounded(ctx context.Context, limit time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx) }()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		_ = chromedp.Cancel(ctx)
		return fmt.Errorf("not ready within %s", limit)
	}
}

// attachWorker attaches to a service-worker target (once) and applies the
// browser's network state to it.
func (b *browser) attachWorker(id target.ID) {
	b.mu.Lock()
	if _, ok := b.workers[id]; ok {
		b.mu.Unlock()
		return
	}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithTargetID(id))
	w := &worker{ctx: ctx, cancel: cancel, ready: make(chan struct{})}
	b.workers[id] = w
	b.mu.Unlock()
	w.ok = startBounded(ctx, stepTimeout) == nil // false: it stopped before it could be attached
	close(w.ready)
	b.syncWorker(w)
}

// syncWorker gives an attached worker the browser's current network state.
// Each switch reads the state under the worker's lock, so the last one to
// run applies the latest state whatever the order of the callers.
func (b *browser) syncWorker(w *worker) {
	select {
	case <-w.ready:
	case <-time.After(stepTimeout):
		return
	}
	if !w.ok {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	b.mu.Lock()
	offline := b.offline
	b.mu.Unlock()
	ctx, cancel := context.WithTimeout(w.ctx, stepTimeout)
	defer cancel()
	_ = chromedp.Do(ctx, emulateNetwork(offline)) // a stopped worker has nothing to switch
}

// forgetWorker drops a service-worker target that has ended.
func (b *browser) forgetWorker(id target.ID) {
	b.mu.Lock()
	w, ok := b.workers[id]
	delete(b.workers, id)
	b.mu.Unlock()
	if ok {
		w.cancel()
	}
}

// emulateNetwork switches DevTools' network emulation of one target (a tab
// or a service worker) off or on, and with it navigator.onLine.
func emulateNetwork(offline bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		rules := []*network.Conditions{}
		if offline {
			rules = []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}}
		}
		sw := offline
		if _, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &sw,
			MatchedNetworkConditions:    rules,
		}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.OverrideNetworkState, network.OverrideNetworkStateParams{
			Offline: offline, DownloadThroughput: -1, UploadThroughput: -1,
		})
		return err
	})
}

// setOffline puts the whole device offline or back online: every tab,
// every running service worker (and those that start later), and the gate,
// which then drops anything that still gets through.
//
// What holds in this Chromium (measured with the gate's leak list): offline
// emulation on the tab alone, even with emulateOfflineServiceWorker set,
// lets every request the service worker makes through — navigations it
// answers with fetch(), and requests its fetch handler passes on. Each
// service-worker target needs the same emulation of its own. The worker's
// script update check is the one request no emulation covers (see gate).
func (b *browser) setOffline(offline bool) {
	b.t.Helper()
	// Attach to workers started before the watcher saw them.
	infos, err := chromedp.Targets(b.ctx)
	if err != nil {
		b.t.Fatalf("%s: listing targets: %v", b.name, err)
	}
	for _, info := range infos {
		if info.Type == "service_worker" {
			b.attachWorker(info.TargetID)
		}
	}
	b.mu.Lock()
	b.offline = offline
	tabs := make([]*tab, 0, len(b.tabs))
	for p := range b.tabs {
		tabs = append(tabs, p)
	}
	workers := make([]*worker, 0, len(b.workers))
	for _, w := range b.workers {
		workers = append(workers, w)
	}
	b.mu.Unlock()
	// The gate follows the browser: it goes offline after the browser (so
	// that a request sent just before is not taken for a leak) and back
	// online before it (so that the app's first request on "online" passes).
	if !offline {
		b.gate.setOffline(false)
	}
	for _, w := range workers {
		b.syncWorker(w)
	}
	for _, p := range tabs {
		p.do(fmt.Sprintf("setting offline=%v", offline), emulateNetwork(offline))
	}
	if offline {
		b.gate.setOffline(true)
	}
}

// workerFetchesFail checks, in every running service worker of the
// browser, that a fetch of path fails, as it must when the device is
// offline; it returns how many workers it checked.
func (b *browser) workerFetchesFail(path string) int {
	b.t.Helper()
	b.mu.Lock()
	var workers []*worker
	for _, w := range b.workers {
		workers = append(workers, w)
	}
	b.mu.Unlock()
	checked := 0
	for _, w := range workers {
		<-w.ready
		if !w.ok {
			continue
		}
		ctx, cancel := context.WithTimeout(w.ctx, stepTimeout)
		failed, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
			fmt.Sprintf("fetch(%q, {cache: 'no-store'}).then(() => false, () => true)", path), chromedp.EvalAwaitPromise))
		cancel()
		if err != nil {
			continue // the worker stopped meanwhile
		}
		if !failed {
			b.t.Fatalf("%s: a fetch from the service worker reached the network in offline mode", b.name)
		}
		checked++
	}
	return checked
}

// tab is one open page of a browser.
type tab struct {
	t      *testing.T
	b      *browser
	ctx    context.Context
	cancel context.CancelFunc
	name   string

	mu   gosync.Mutex
	logs []string // the page's console output and uncaught exceptions
}

// open opens a new tab with the fake clock installed and the browser's
// network state applied, and navigates it to path on the gate.
func (b *browser) open(path string) *tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	b.t.Cleanup(cancel)
	if err := startBounded(ctx, stepTimeout); err != nil {
		b.t.Fatalf("%s: opening a tab: %v", b.name, err)
	}
	p := &tab{t: b.t, b: b, ctx: ctx, cancel: cancel, name: b.name}
	if err := chromedp.Listen(ctx, p.record); err != nil {
		b.t.Fatalf("%s: listening to the console: %v", b.name, err)
	}
	b.mu.Lock()
	offline := b.offline
	b.tabs[p] = true
	b.mu.Unlock()
	p.do("preparing the tab",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			if _, err := cdp.Call(ctx, t, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: "nb-NO"}); err != nil {
				return err
			}
			for _, src := range append([]string{clockScript}, b.initScripts...) {
				if _, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
					return err
				}
			}
			return nil
		}),
		emulateNetwork(offline),
	)
	p.do("navigating to "+path, chromedp.Navigate(b.gate.URL+path))
	return p
}

// record keeps the page's console messages and exceptions for failure
// reports.
func (p *tab) record(ev any) {
	var line string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		parts := []string{string(ev.Type) + ":"}
		for _, a := range ev.Args {
			if a.Value != nil {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		line = strings.Join(parts, " ")
	case *runtime.EventExceptionThrown:
		line = (&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error()
	case *cdplog.EventEntryAdded:
		line = fmt.Sprintf("%s %s: %s %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text, ev.Entry.URL)
	default:
		return
	}
	p.mu.Lock()
	p.logs = append(p.logs, line)
	p.mu.Unlock()
}

// fail reports a failed step with what the page showed and logged, and a
// screenshot in artifacts/, then stops the test.
func (p *tab) fail(format string, args ...any) {
	p.t.Helper()
	msg := fmt.Sprintf(format, args...)
	name := "fail-" + strings.NewReplacer("/", "-", " ", "-").Replace(p.t.Name()) + "-" + p.name
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
	if buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		_ = os.MkdirAll("artifacts", 0o755)
		_ = os.WriteFile(filepath.Join("artifacts", name+".png"), buf, 0o644)
	}
	p.mu.Lock()
	logs := strings.Join(p.logs, "\n")
	p.mu.Unlock()
	p.b.gate.mu.Lock()
	apiLog := strings.Join(p.b.gate.apiLog, "\n")
	p.b.gate.mu.Unlock()
	p.t.Fatalf("%s: %s\n--- page (screenshot artifacts/%s.png):\n%s\n--- console:\n%s\n--- API calls:\n%s", p.name, msg, name, page, logs, apiLog)
}

// install opens the app once in a tab of its own and waits until its
// service worker is active and controls that tab, then closes the tab.
// Every tab opened afterwards is controlled from its first request. (On its
// first install the worker claims the open page, and the app reloads a page
// whose controller changes; doing that in a throwaway tab keeps the reload
// out of the test's steps.)
func (b *browser) install() {
	b.t.Helper()
	p := b.open("/")
	p.waitJS("the service worker to control the page", `navigator.serviceWorker.controller && navigator.serviceWorker.controller.state === 'activated'`)
	p.close()
}

// stopWorkers stops every running service worker of the browser, as a
// phone does with an app it has not shown for a while; the next page load
// starts a fresh one.
func (p *tab) stopWorkers() {
	p.t.Helper()
	p.do("stopping the service workers", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, serviceworker.Enable, cdp.Empty{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, serviceworker.StopAllWorkers, cdp.Empty{})
		return err
	}))
}

// close closes the tab, as a user swiping the app away.
func (p *tab) close() {
	p.b.mu.Lock()
	delete(p.b.tabs, p)
	p.b.mu.Unlock()
	p.cancel()
}

// bounded gives one step its own deadline without ending the tab.
func (p *tab) bounded() (context.Context, context.CancelFunc) {
	return context.WithTimeout(p.ctx, stepTimeout)
}

// do runs actions within stepTimeout and fails the test on error.
func (p *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := p.bounded()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fail("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression (awaiting a promise) and decodes
// its value into T.
func eval[T any](p *tab, expr string) T {
	p.t.Helper()
	v, err := tryEval[T](p, expr)
	if err != nil {
		p.fail("evaluating %s: %v", expr, err)
	}
	return v
}

func tryEval[T any](p *tab, expr string) (T, error) {
	ctx, cancel := p.bounded()
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// waitJS polls a JavaScript condition (a value or a promise of one) until
// it is truthy or stepTimeout passes.
func (p *tab) waitJS(what, cond string) {
	p.t.Helper()
	var last error
	err := apitest.Poll(p.ctx, stepTimeout, func() bool {
		ok, err := tryEval[bool](p, "Promise.resolve("+cond+").then((v) => !!v)")
		last = err
		return err == nil && ok
	})
	if err != nil {
		p.fail("waiting for %s (%s): %v (last error %v)", what, cond, err, last)
	}
}

// fetchFails reports whether a fetch of path from the page fails, as it
// must when the device is offline.
func (p *tab) fetchFails(path string) bool {
	p.t.Helper()
	return eval[bool](p, fmt.Sprintf("fetch(%q, {cache: 'no-store'}).then(() => false, () => true)", path))
}

// screenshot saves a PNG of the tab's viewport to tests/artifacts/<name>.png.
func (p *tab) screenshot(name string) {
	p.t.Helper()
	p.saveShot(name, chromedp.CaptureScreenshot())
}

// screenshotBottom scrolls to the end of the page and saves what the
// viewport shows then (a capture beyond the viewport would draw the fixed
// tab bar in the middle of the page).
func (p *tab) screenshotBottom(name string) {
	p.t.Helper()
	eval[bool](p, `(window.scrollTo(0, document.documentElement.scrollHeight), true)`)
	p.saveShot(name, chromedp.CaptureScreenshot())
}

func (p *tab) saveShot(name string, shot chromedp.Action[[]byte]) {
	p.t.Helper()
	ctx, cancel := p.bounded()
	defer cancel()
	buf, err := chromedp.Run(ctx, shot)
	if err != nil {
		p.t.Fatalf("%s: screenshot %s: %v", p.name, name, err)
	}
	if err := os.MkdirAll("artifacts", 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("artifacts", name+".png"), buf, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// sel is the CSS selector of an element by its data-testid.
func sel(testid string) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf("[data-testid=%q]", testid))
}

// click taps an element (by data-testid) once it is visible.
func (p *tab) click(testid string) {
	p.t.Helper()
	p.do("clicking "+testid, chromedp.Click(sel(testid)))
}

// tapUntil taps a link or button (by data-testid) that leads to another screen
// until that screen's element next is shown. Today, history and progress
// redraw themselves when a sync brings documents, and a tap that lands just
// as the old element is replaced is lost, as it would be for a user, who
// would tap again.
func (p *tab) tapUntil(testid, next string) {
	p.t.Helper()
	exists := func(id string) bool {
		return eval[bool](p, fmt.Sprintf(`!!document.querySelector('[data-testid=%q]')`, id))
	}
	lastTap := time.Time{}
	err := apitest.Poll(p.ctx, stepTimeout, func() bool {
		if exists(next) {
			return true
		}
		if time.Since(lastTap) > time.Second && exists(testid) {
			// The element may be replaced between finding and tapping it;
			// then the tap is simply tried again.
			ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
			_ = chromedp.Do(ctx, chromedp.Click(sel(testid)))
			cancel()
			lastTap = time.Now()
		}
		return false
	})
	if err != nil {
		p.fail("tapping %s never led to %s: %v", testid, next, err)
	}
	p.waitVisible(next)
}

// typeInto types text into an input (by data-testid), as a user would.
func (p *tab) typeInto(testid, text string) {
	p.t.Helper()
	p.do("typing into "+testid, chromedp.SendKeys(sel(testid), text))
}

// setValue sets the value of a select, input or textarea (by data-testid)
// and fires the input and change events a user's choice would.
func (p *tab) setValue(testid, value string) {
	p.t.Helper()
	p.do("setting "+testid, chromedp.SetValue(sel(testid), value))
	eval[bool](p, fmt.Sprintf(`(() => { const el = document.querySelector('[data-testid=%q]');
		el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`, testid))
}

// waitVisible waits until an element (by data-testid) is shown.
func (p *tab) waitVisible(testid string) {
	p.t.Helper()
	p.do("waiting for "+testid, chromedp.WaitVisible(sel(testid)))
}

// text returns the visible text of an element (by data-testid).
func (p *tab) text(testid string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`(() => { const el = document.querySelector('[data-testid=%q]'); return el ? el.innerText : ''; })()`, testid))
}

// idbJS reads the app's IndexedDB database ("dagbok") from the page
// without creating it when it does not exist yet.
const idbJS = `(async (store, key) => {
  if (!(await indexedDB.databases()).some((d) => d.name === 'dagbok')) return key === undefined ? [] : null;
  const db = await ` + idbOpenJS + `;
  try {
    if (!db.objectStoreNames.contains(store)) return key === undefined ? [] : null;
    return await new Promise((res, rej) => {
      const s = db.transaction(store).objectStore(store);
      const r = key === undefined ? s.getAll() : s.get(key);
      r.onsuccess = () => res(r.result ?? null); r.onerror = () => rej(r.error);
    });
  } finally { db.close(); }
})`

// idbOpenJS is a promise of the app's IndexedDB database, opened.
const idbOpenJS = `new Promise((res, rej) => { const o = indexedDB.open('dagbok'); o.onsuccess = () => res(o.result); o.onerror = () => rej(o.error); })`

// idbWriteJS returns a script that runs body with s, the object store
// named store, in a readwrite transaction of the app's database, and
// resolves to true once the transaction is complete.
func idbWriteJS(store, body string) string {
	return fmt.Sprintf(`(async () => {
  const db = await %s;
  try {
    const tx = db.transaction(%q, 'readwrite');
    const s = tx.objectStore(%q);
    %s;
    await new Promise((res, rej) => { tx.oncomplete = res; tx.onerror = () => rej(tx.error); });
  } finally { db.close(); }
  return true;
})()`, idbOpenJS, store, store, body)
}

// storedDoc is a document as the PWA keeps it in IndexedDB.
type storedDoc struct {
	ID     string                     `json:"id"`
	Type   string                     `json:"type"`
	Fields map[string]json.RawMessage `json:"fields"`
}

// localDocs returns the documents the device holds, by id.
func (p *tab) localDocs() map[string]storedDoc {
	p.t.Helper()
	raw := eval[[]byte](p, idbJS+`('docs')`)
	var list []storedDoc
	if err := json.Unmarshal(raw, &list); err != nil {
		p.t.Fatalf("%s: decoding local documents %s: %v", p.name, raw, err)
	}
	out := map[string]storedDoc{}
	for _, d := range list {
		out[d.ID] = d
	}
	return out
}

// outboxLen returns how many local changes wait for the server.
func (p *tab) outboxLen() int {
	p.t.Helper()
	return eval[int](p, idbJS+`('outbox').then((l) => l.length)`)
}

// waitSynced waits, without doing anything in the app, until the outbox is
// empty and the status line says synced.
func (p *tab) waitSynced() {
	p.t.Helper()
	p.waitJS("the app to finish syncing", `(async () => {
		const out = await `+idbJS+`('outbox');
		const st = document.querySelector('[data-testid=sync-status]');
		return out.length === 0 && st && st.dataset.state === 'synced';
	})()`)
}

// fieldValue decodes one field's value of a stored document.
func fieldValue(t *testing.T, d storedDoc, name string) any {
	t.Helper()
	raw, ok := d.Fields[name]
	if !ok {
		return nil
	}
	var f struct {
		Value any    `json:"value"`
		TS    string `json:"ts"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("field %s of %s: %v", name, d.ID, err)
	}
	return f.Value
}

// testPassword is the password every test account uses (the harness's
// login helper assumes it).
const testPassword = "correct horse battery staple"

// startServerWithGroup starts a server with a first admin, makes a trainer
// from an admin invite and a treatment group, and returns the server and
// the group's invite code that patients register with.
func startServerWithGroup(t *testing.T) (*server, string) {
	t.Helper()
	srv := startServer(t, "ADMIN_EMAIL=admin@example.no", "ADMIN_PASSWORD="+testPassword)
	_, group := staffGroup(t, srv, "trainer", "trener@example.no", "Trener", "Tirsdagsgruppa", "treatment")
	return srv, group.InviteCode
}

// newGroup is a group as its leader created it.
type newGroup struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	InviteCode string `json:"inviteCode"`
}

// staffMember has the first admin invite a member of staff with role,
// who registers as email with name; it returns them signed in.
func staffMember(t *testing.T, srv *server, role, email, name string) *client {
	t.Helper()
	admin := newClient(t, srv.URL)
	admin.login("admin@example.no")
	var inv struct {
		Code string `json:"code"`
	}
	admin.must(http.MethodPost, "/api/v1/invites", map[string]string{"role": role}, &inv, http.StatusCreated)
	staff := newClient(t, srv.URL)
	staff.must(http.MethodPost, "/api/v1/auth/register", map[string]string{
		"email": email, "password": testPassword, "name": name, "inviteCode": inv.Code,
	}, nil, http.StatusCreated)
	staff.login(email)
	return staff
}

// staffGroup has the first admin invite a member of staff with role, who
// registers as email with name and creates a group of kind; it returns
// them signed in, and the group.
func staffGroup(t *testing.T, srv *server, role, email, name, groupName, kind string) (*client, newGroup) {
	t.Helper()
	staff := staffMember(t, srv, role, email, name)
	var group newGroup
	staff.must(http.MethodPost, "/api/v1/groups", map[string]string{"name": groupName, "kind": kind}, &group, http.StatusCreated)
	if group.InviteCode == "" {
		t.Fatal("the new group came without an invite code")
	}
	return staff, group
}

// serverDocs pulls everything the server holds for the user of c (a
// signed-in client), as a fresh device would.
func serverDocs(t *testing.T, c *client) map[string]sync.Doc {
	t.Helper()
	d := newDevice("checker", c)
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	if err := d.pull(ctx, 200); err != nil {
		t.Fatalf("pulling from the server: %v", err)
	}
	return d.docs
}

// newPhone signs up a patient with email on srv, signs a new browser in
// as them and waits for its first sync. It returns the patient's API
// client, the browser and its tab.
func newPhone(t *testing.T, srv *server, email string) (*client, *browser, *tab) {
	t.Helper()
	c := signUp(t, srv.URL, email)
	phone := newBrowser(t, "phone", srv.URL)
	p := phone.signIn(email)
	p.waitSynced()
	return c, phone, p
}

// signIn installs the app, signs in through its own form and waits until
// the service worker controls the page.
func (b *browser) signIn(email string) *tab {
	b.t.Helper()
	b.install()
	p := b.open("/login")
	p.login(email)
	p.waitControlled()
	return p
}

// pushYesterdaysSession gives the user of c a full 4x4 session logged
// yesterday, pushed as another device would.
func pushYesterdaysSession(t *testing.T, c *client) {
	t.Helper()
	seed := newDevice("seed", c)
	seed.edit(newID(), "session", map[string]any{
		"protocol": "4x4", "startedAt": time.Now().Add(-26 * time.Hour).UTC().Format(time.RFC3339),
		"durationMin": 40, "sessionRpe": 7, "moodBefore": 2, "moodAfter": 4, "note": "Tung, men god",
		"intervals": []map[string]int{{"rpe": 15, "hrPeak": 165}, {"rpe": 16, "hrPeak": 168}, {"rpe": 16, "hrPeak": 170}, {"rpe": 17, "hrPeak": 172}},
	})
	if err := seed.push(t.Context()); err != nil {
		t.Fatal(err)
	}
}
