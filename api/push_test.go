package api_test

import (
	"crypto/rand"
	"crypto/tls"
	"net/http"
	"slices"
	"testing"

	"github.com/hit4x4/dagbok/api"
	"github.com/hit4x4/dagbok/push"
	"github.com/hit4x4/dagbok/tests/fakepush"
)

// testPushService is the push service of a test API, sending to fake when
// given (loopback endpoints admitted, as PUSH_TEST_ENDPOINTS does).
func testPushService(t *testing.T, cfg api.Config, fake *fakepush.Service, keys ...push.Keys) *push.Service {
	t.Helper()
	sc := push.SenderConfig{Subject: "mailto:drift@example.org", Guard: push.Guard{Loopback: true}}
	if len(keys) > 0 {
		sc.Keys = keys[0]
	} else {
		k, err := push.GenerateKeys(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		sc.Keys = k
	}
	if fake != nil {
		sc.TLS = &tls.Config{RootCAs: fake.RootCAs()}
	}
	snd, err := push.NewSender(sc)
	if err != nil {
		t.Fatal(err)
	}
	return push.NewService(cfg.Store, snd, sc.Guard, push.Names(push.DefaultKinds()), cfg.Now, nil)
}

// newPushEnv is an API whose push routes send to a fake push service on
// loopback.
func newPushEnv(t *testing.T) (*env, *fakepush.Service, push.Keys) {
	t.Helper()
	keys, err := push.GenerateKeys(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	fake := fakepush.Start(t, keys.Public)
	e := newEnv(t, func(c *api.Config) { c.Push = testPushService(t, *c, fake, keys) })
	return e, fake, keys
}

func subscriptionBody(s *fakepush.Subscription) map[string]any {
	return map[string]any{"endpoint": s.Endpoint, "expirationTime": nil, "keys": map[string]string{"p256dh": s.P256dh, "auth": s.Auth}}
}

func TestVAPIDPublicKey(t *testing.T) {
	e, _, keys := newPushEnv(t)
	var out struct{ PublicKey string }
	r := e.do(req{Method: "GET", Path: "/api/v1/push/vapid-public-key"})
	if r.Status != http.StatusOK {
		t.Fatalf("status %d", r.Status)
	}
	r.Decode(t, &out)
	if out.PublicKey != keys.Public {
		t.Errorf("publicKey %q, want %q", out.PublicKey, keys.Public)
	}
}

func TestPushSubscribeAndTest(t *testing.T) {
	e, fake, _ := newPushEnv(t)
	phone, laptop := fake.Subscribe("phone"), fake.Subscribe("laptop")
	if r := e.do(req{Method: "POST", Path: "/api/v1/push/subscriptions", Body: subscriptionBody(phone)}); r.Status != http.StatusUnauthorized {
		t.Fatalf("anonymous subscribe: %d, want 401", r.Status)
	}
	e.register("ann@example.org", "correct horse", "Ann", "")
	s := e.login("ann@example.org", "correct horse")
	for _, sub := range []*fakepush.Subscription{phone, laptop} {
		if r := e.do(req{Method: "POST", Path: "/api/v1/push/subscriptions", Token: s.Token, Body: subscriptionBody(sub)}); r.Status != http.StatusCreated {
			t.Fatalf("subscribe: %d %s", r.Status, r.Body)
		}
	}

	var listed struct{ Subscriptions []struct{ Endpoint string } }
	e.do(req{Method: "GET", Path: "/api/v1/push/subscriptions", Token: s.Token}).Decode(t, &listed)
	if len(listed.Subscriptions) != 2 {
		t.Errorf("listed %+v, want both devices", listed)
	}

	fake.Answer(laptop, http.StatusGone)
	var out struct {
		Sent, Failed int
		Failures     []struct{ Endpoint, Reason string }
	}
	r := e.do(req{Method: "POST", Path: "/api/v1/push/test", Token: s.Token})
	if r.Status != http.StatusOK {
		t.Fatalf("test: %d %s", r.Status, r.Body)
	}
	r.Decode(t, &out)
	if out.Sent != 1 || out.Failed != 1 || len(out.Failures) != 1 || out.Failures[0].Reason != "subscription expired and removed" {
		t.Errorf("test reminder: %+v", out)
	}
	if got := fake.Delivered(); len(got) != 1 {
		t.Fatalf("delivered %d", len(got))
	} else if title, _ := got[0].Text(); title != "Testpåminnelse" {
		t.Errorf("title %q", title)
	}
	// The laptop's subscription is gone: deleting it again finds nothing.
	if r := e.do(req{Method: "DELETE", Path: "/api/v1/push/subscriptions", Token: s.Token, Body: map[string]string{"endpoint": laptop.Endpoint}}); r.Status != http.StatusNotFound {
		t.Errorf("delete removed subscription: %d, want 404", r.Status)
	}
	if r := e.do(req{Method: "DELETE", Path: "/api/v1/push/subscriptions", Token: s.Token, Body: map[string]string{"endpoint": phone.Endpoint}}); r.Status != http.StatusNoContent {
		t.Errorf("delete: %d, want 204", r.Status)
	}
}

func TestPushSubscriptionRefused(t *testing.T) {
	e, fake, _ := newPushEnv(t)
	good := fake.Subscribe("phone")
	e.register("ann@example.org", "correct horse", "Ann", "")
	s := e.login("ann@example.org", "correct horse")
	for _, tc := range []struct {
		name           string
		endpoint, p256 string
		field          string
	}{
		{"not a push service", "https://attacker.example/x", good.P256dh, "endpoint"},
		{"metadata address", "https://169.254.169.254/latest", good.P256dh, "endpoint"},
		{"private address", "https://10.1.2.3/x", good.P256dh, "endpoint"},
		{"bad key", good.Endpoint, "AAAA", "keys.p256dh"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"endpoint": tc.endpoint, "keys": map[string]string{"p256dh": tc.p256, "auth": good.Auth}}
			r := e.do(req{Method: "POST", Path: "/api/v1/push/subscriptions", Token: s.Token, Body: body})
			er := r.ExpectError(t, http.StatusUnprocessableEntity, api.CodeValidation)
			if len(er.Error.Details) != 1 || er.Error.Details[0].Field != tc.field {
				t.Errorf("details %+v, want the field %s", er.Error.Details, tc.field)
			}
		})
	}
}

func TestReminderSettings(t *testing.T) {
	e, _, _ := newPushEnv(t)
	e.register("ann@example.org", "correct horse", "Ann", "")
	s := e.login("ann@example.org", "correct horse")
	type settings struct {
		Off                  []string
		LeadMinutes          int
		QuietStart, QuietEnd string
		Kinds                []string
	}
	var got settings
	r := e.do(req{Method: "GET", Path: "/api/v1/push/settings", Token: s.Token})
	r.Decode(t, &got)
	if got.LeadMinutes != 60 || got.QuietStart != "22:00" || got.QuietEnd != "08:00" || len(got.Off) != 0 || !slices.Equal(got.Kinds, push.Names(push.DefaultKinds())) {
		t.Errorf("defaults: %+v", got)
	}
	r = e.do(req{Method: "PUT", Path: "/api/v1/push/settings", Token: s.Token,
		Body: map[string]any{"off": []string{"nudge"}, "leadMinutes": 30, "quietStart": "21:30", "quietEnd": "07:00"}})
	if r.Status != http.StatusOK {
		t.Fatalf("put: %d %s", r.Status, r.Body)
	}
	r.Decode(t, &got)
	if got.LeadMinutes != 30 || got.QuietStart != "21:30" || len(got.Off) != 1 || got.Off[0] != "nudge" {
		t.Errorf("saved: %+v", got)
	}
	r = e.do(req{Method: "PUT", Path: "/api/v1/push/settings", Token: s.Token,
		Body: map[string]any{"off": []string{"weather"}, "leadMinutes": 30, "quietStart": "21:30", "quietEnd": "07:00"}})
	r.ExpectError(t, http.StatusUnprocessableEntity, api.CodeValidation)
}
