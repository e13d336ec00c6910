package tests

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hit4x4/dagbok/internal/apitest"
	"github.com/hit4x4/dagbok/push"
	"github.com/hit4x4/dagbok/tests/fakepush"
)

// TestServerBinaryPush runs the real binary against the fake push
// service on loopback TLS, reached as an operator reaches a private push
// relay: PUSH_RELAY_ADDRS admits its address, PUSH_CA_FILE trusts its
// certificate, and PUSH_TEST_ENDPOINTS stays off. A user subscribes
// through the API with the fake service's endpoint and keys and sends the
// test reminder; the fake service checks the VAPID token against the
// configured key and decrypts the text. (The scheduler's reminders are
// not sent here: the binary runs on the real clock; the scheduler's own
// tests drive it on a fake one.)
func TestServerBinaryPush(t *testing.T) {
	keys, err := push.GenerateKeys(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	fake := fakepush.Start(t, keys.Public)
	ca := filepath.Join(t.TempDir(), "relay-ca.pem")
	if err := os.WriteFile(ca, fake.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := launch(t, "LOG_FORMAT=json", "VAPID_SUBJECT=mailto:drift@example.org",
		"VAPID_PUBLIC_KEY="+keys.Public, "VAPID_PRIVATE_KEY="+keys.Private,
		"PUSH_RELAY_ADDRS=127.0.0.1", "PUSH_CA_FILE="+ca)
	t.Cleanup(srv.kill)
	c := newClient(t, srv.URL)

	var vapid struct {
		PublicKey string `json:"publicKey"`
	}
	c.must(http.MethodGet, "/api/v1/push/vapid-public-key", nil, &vapid, http.StatusOK)
	if vapid.PublicKey != keys.Public {
		t.Fatalf("vapid-public-key %q, want the configured %q", vapid.PublicKey, keys.Public)
	}

	c.must(http.MethodPost, "/api/v1/auth/register",
		`{"email":"kari@example.org","password":"kari password","name":"Kari"}`, nil, http.StatusCreated)
	var login struct {
		AccessToken string `json:"accessToken"`
	}
	c.api.Must(t, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login",
		Body: `{"email":"kari@example.org","password":"kari password"}`}, http.StatusOK, &login)
	c.api.Token = login.AccessToken

	// The guard still refuses loopback addresses that are not the relay's.
	other := strings.Replace(fake.URL(), "127.0.0.1", "127.0.0.2", 1) + "/push/elsewhere"
	phone := fake.Subscribe("phone")
	c.must(http.MethodPost, "/api/v1/push/subscriptions",
		fmt.Sprintf(`{"endpoint":%q,"keys":{"p256dh":%q,"auth":%q}}`, other, phone.P256dh, phone.Auth), nil, http.StatusUnprocessableEntity)

	c.must(http.MethodPost, "/api/v1/push/subscriptions",
		fmt.Sprintf(`{"endpoint":%q,"expirationTime":null,"keys":{"p256dh":%q,"auth":%q}}`, phone.Endpoint, phone.P256dh, phone.Auth),
		nil, http.StatusCreated)
	var sent struct {
		Sent, Failed int
	}
	c.must(http.MethodPost, "/api/v1/push/test", nil, &sent, http.StatusOK)
	if sent.Sent != 1 || sent.Failed != 0 {
		t.Fatalf("test reminder: %+v, want 1 sent\nfake service refused: %v\n%s", sent, fake.Failures(), srv.logs)
	}
	if f := fake.Failures(); len(f) != 0 {
		t.Fatalf("the fake push service refused posts: %v", f)
	}
	got := fake.Delivered()
	if len(got) != 1 {
		t.Fatalf("%d messages delivered, want 1", len(got))
	}
	m := got[0]
	if title, body := m.Text(); title != "Testpåminnelse" || body != "Slik ser påminnelsene dine ut." {
		t.Errorf("the phone shows %q / %q, want the Norwegian test reminder", title, body)
	}
	if m.Endpoint != "/push/phone" || m.Subject != "mailto:drift@example.org" || m.TTL != 43200 || m.Topic != "test" || m.Urgency != "normal" {
		t.Errorf("delivered %+v", m)
	}
}
