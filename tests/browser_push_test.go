package tests

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"
)

// pushStub replaces PushManager's subscribe and getSubscription in this
// test only: headless Chromium has no push service to subscribe with. The
// subscription's endpoint is on loopback, which PUSH_TEST_ENDPOINTS admits;
// nothing listens there, so a send to it fails.
const pushStub = `(() => {
  const sub = { endpoint: %q, expirationTime: null, keys: { p256dh: %q, auth: %q } };
  let current = null;
  const live = { ...sub, toJSON: () => sub, unsubscribe: async () => { current = null; return true; } };
  PushManager.prototype.subscribe = async function () { current = live; return live; };
  PushManager.prototype.getSubscription = async function () { return current; };
  return true;
})()`

// grantNotifications gives the app's origin the notification permission,
// as a tap on the browser's prompt would.
func (b *browser) grantNotifications(p *tab) {
	b.t.Helper()
	p.do("granting notifications", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: "notifications"},
			Setting:    cdpbrowser.PermissionSettingGranted, Origin: b.gate.URL})
		return err
	}))
}

// deliverPush hands payload to the app's service worker as a push
// message, through DevTools (headless Chromium has no push service).
func (b *browser) deliverPush(p *tab, payload []byte) {
	b.t.Helper()
	id := b.registrationID(b.gate.URL + "/")
	p.do("delivering a push", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, serviceworker.Enable, cdp.Empty{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, serviceworker.DeliverPushMessage, serviceworker.DeliverPushMessageParams{
			Origin: strings.TrimSuffix(b.gate.URL, "/"), RegistrationID: id, Data: string(payload)})
		return err
	}))
}

// TestBrowserReminders: a patient turns reminders on in Settings (the
// permission already granted, as a tap on the prompt would), the browser's
// subscription reaches the server, the test reminder reports the failed
// send; a push delivered through DevTools shows the notification with its
// actions, and a tap on it takes the open app to the timer.
func TestBrowserReminders(t *testing.T) {
	srv := startServer(t, "PUSH_TEST_ENDPOINTS=1")
	ida, phone, p := newPhone(t, srv, "ida@example.no")

	phone.grantNotifications(p)
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	endpoint := "http://127.0.0.1:9/push/ida-phone"
	eval[bool](p, fmt.Sprintf(pushStub, endpoint, base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()),
		base64.RawURLEncoding.EncodeToString(secret)))

	p.click("nav-settings")
	p.waitVisible("reminders-on")
	if eval[bool](p, `!document.querySelector('[data-testid=reminders-details]').hidden`) {
		t.Fatal("the reminder choices show before reminders are on")
	}
	eval[bool](p, `(document.querySelector('[data-testid=reminders]').scrollIntoView(), true)`)
	p.screenshot("reminders-off-phone")
	p.click("reminders-on")
	p.waitJS("reminders to be on", `document.querySelector('[data-testid=reminders-status]').textContent === 'Påminnelser er slått på for denne enheten.'`)
	if n := phone.gate.count("POST /api/v1/push/subscriptions → 201"); n != 1 {
		t.Fatalf("the subscription was posted %d times, want once", n)
	}
	// The server has it: the test reminder tries it, and says why it failed.
	var report struct {
		Sent, Failed int
		Failures     []struct{ Endpoint, Reason string }
	}
	ida.must(http.MethodPost, "/api/v1/push/test", nil, &report, http.StatusOK)
	if report.Failed != 1 || len(report.Failures) != 1 || report.Failures[0].Endpoint != endpoint {
		t.Fatalf("test reminder: %+v, want one failure at %s", report, endpoint)
	}
	p.click("reminders-kind-nudge")
	p.waitJS("the nudge to be turned off", `document.querySelector('[data-testid=reminders-status]').textContent === 'Lagret.'`)
	var settings struct{ Off []string }
	ida.must(http.MethodGet, "/api/v1/push/settings", nil, &settings, http.StatusOK)
	if len(settings.Off) != 1 || settings.Off[0] != "nudge" {
		t.Errorf("settings after turning the nudge off: %+v", settings)
	}
	p.screenshot("reminders-on-phone")

	// A reminder as the server sends it, delivered by DevTools.
	payload, _ := json.Marshal(map[string]any{"title": "Tid for økta di", "body": "Planlagt økt kl. 18:00. Du klarer det!",
		"url": "/timer", "tag": "slot", "actions": []map[string]string{{"action": "start", "title": "Start nå"}, {"action": "later", "title": "Senere"}}})
	phone.deliverPush(p, payload)
	p.waitJS("the notification to show", `navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((ns) =>
		ns.length === 1 && ns[0].title === 'Tid for økta di' && ns[0].body === 'Planlagt økt kl. 18:00. Du klarer det!' &&
		ns[0].actions.map((a) => a.title).join() === 'Start nå,Senere')`)

	// A tap on "Start nå" with the app open on Settings: the worker's click
	// handler sends that window to the timer. (Headless Chromium refuses
	// clients.openWindow after a synthetic click; the open-a-window path is
	// unit-tested in pwa/test/notify.test.mjs.)
	phone.waitWorkerJS("a click on the notification", `(self.__tapped ||= self.registration.getNotifications().then((ns) => {
		self.dispatchEvent(new NotificationEvent('notificationclick', { notification: ns[0], action: 'start' }));
		return true;
	}))`)
	p.waitJS("the timer to show", `location.pathname === '/timer'`)
	p.waitJS("the notification to close", `navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((ns) => ns.length === 0)`)

	// On an iPhone, in Safari rather than from the home screen, the section
	// says what to do first.
	p.do("posing as an iPhone", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
			UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"})
		return err
	}))
	p.do("opening Settings", chromedp.Navigate(phone.gate.URL+"/settings"))
	p.waitVisible("reminders-ios")
	eval[bool](p, `(document.querySelector('[data-testid=reminders]').scrollIntoView(), true)`)
	p.screenshot("reminders-ios-phone")

	// Signing out stops the reminders to this device.
	eval[bool](p, fmt.Sprintf(pushStub, endpoint, base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()),
		base64.RawURLEncoding.EncodeToString(secret)))
	eval[bool](p, `navigator.serviceWorker.ready.then((r) => r.pushManager.subscribe()).then(() => true)`)
	p.click("sign-out")
	p.waitJS("the sign-in screen", `location.pathname === '/login'`)
	if n := phone.gate.count("DELETE /api/v1/push/subscriptions → 204"); n != 1 {
		t.Errorf("signing out deleted the subscription %d times, want once", n)
	}
}
