package tests

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/hit4x4/dagbok/internal/apitest"
)

// heldStub makes PushManager hold one subscription from the document's
// start, as a browser that subscribed earlier does (headless Chromium has
// no push service: the stub stands in for it in this test only).
const heldStub = `(() => {
  const sub = { endpoint: %q, expirationTime: null, keys: { p256dh: %q, auth: %q } };
  const live = { ...sub, toJSON: () => sub, unsubscribe: async () => { current = null; return true; } };
  let current = live;
  PushManager.prototype.subscribe = async function () { current = live; return live; };
  PushManager.prototype.getSubscription = async function () { return current; };
  return true;
})()`

// rotateJS runs in the service worker: the browser has dropped the old
// subscription and hands out a new one (the stub), then fires
// pushsubscriptionchange at the worker's global scope, through the
// PushSubscriptionChangeEvent constructor where this Chromium has one. It
// records the constructor used.
const rotateJS = `(self.__rotated ||= (() => {
  const sub = { endpoint: %q, expirationTime: null, keys: { p256dh: %q, auth: %q } };
  const live = { ...sub, toJSON: () => sub, unsubscribe: async () => { current = null; return true; } };
  let current = null;
  PushManager.prototype.subscribe = async function () { current = live; return live; };
  PushManager.prototype.getSubscription = async function () { return current; };
  const Event = typeof PushSubscriptionChangeEvent === 'function' ? PushSubscriptionChangeEvent : ExtendableEvent;
  self.__rotatedWith = Event.name;
  self.dispatchEvent(new Event('pushsubscriptionchange'));
  return true;
})())`

// testKeys are a browser's subscription keys, base64url.
func testKeys(t *testing.T) (p256dh, auth string) {
	t.Helper()
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	return base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()), base64.RawURLEncoding.EncodeToString(secret)
}

// TestBrowserPushRenew: with reminders on, every start of the app hands
// the server the browser's subscription again, so one the server lost
// comes back at the next start; and when the browser rotates the
// subscription, the service worker's pushsubscriptionchange handler
// subscribes again and gives the server the new one.
func TestBrowserPushRenew(t *testing.T) {
	srv := startServer(t, "PUSH_TEST_ENDPOINTS=1")
	ida, phone, p := newPhone(t, srv, "ida@example.no")
	serverHas := func(what string, want ...string) {
		t.Helper()
		var got []string
		err := apitest.Poll(phone.ctx, stepTimeout, func() bool {
			var list struct {
				Subscriptions []struct{ Endpoint string }
			}
			ida.must(http.MethodGet, "/api/v1/push/subscriptions", nil, &list, http.StatusOK)
			got = got[:0]
			for _, s := range list.Subscriptions {
				got = append(got, s.Endpoint)
			}
			return slices.Equal(got, want)
		})
		if err != nil {
			t.Fatalf("%s: the server holds %v, want %v\n%s", what, got, want, phone.gate.callsSince(0))
		}
	}

	p.do("granting notifications", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: "notifications"},
			Setting:    cdpbrowser.PermissionSettingGranted, Origin: phone.gate.URL})
		return err
	}))
	old := "http://127.0.0.1:9/push/ida-phone"
	key, secret := testKeys(t)
	p.do("holding a subscription in every document", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: fmt.Sprintf(heldStub, old, key, secret)})
		return err
	}))

	// (a) A start with reminders on re-sends the subscription …
	serverHas("before the start")
	p.do("reloading", chromedp.Reload())
	p.waitSynced()
	serverHas("after a start", old)
	// … and one the server lost comes back with the next start.
	ida.must(http.MethodDelete, "/api/v1/push/subscriptions", map[string]string{"endpoint": old}, nil, http.StatusNoContent)
	serverHas("after the server lost it")
	p.do("reloading", chromedp.Reload())
	p.waitSynced()
	serverHas("after the next start", old)
	if n := phone.gate.count("POST /api/v1/push/subscriptions → 201"); n != 2 {
		t.Errorf("the subscription was posted %d times, want once per start", n)
	}

	// (b) The browser rotates the subscription: the worker subscribes again
	// and the server gets the new one.
	rotated := "http://127.0.0.1:9/push/ida-phone-rotated"
	key2, secret2 := testKeys(t)
	p.close()
	phone.waitWorkerJS("the subscription to change", fmt.Sprintf(rotateJS, rotated, key2, secret2))
	phone.waitWorkerJS("the real event's constructor", `self.__rotatedWith === 'PushSubscriptionChangeEvent'`)
	serverHas("after the browser rotated it", old, rotated)
	// The worker subscribed anew with the server's key: the pages never
	// needed it, holding a subscription all along.
	if n := phone.gate.count("GET /api/v1/push/vapid-public-key → 200"); n != 1 {
		t.Errorf("the VAPID key was fetched %d times, want once (by the worker)", n)
	}
}
