package tests

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserFitnessAge: without a sex in the profile the body screen says
// what fitness age needs; with one, two measurements entered offline show
// fitness age at once (the change since the first measurement first, then
// the age now beside the real age), reach the server once online, and the
// patient can hide fitness age on the phone.
func TestBrowserFitnessAge(t *testing.T) {
	srv := startServer(t)
	kari, phone, p := newPhone(t, srv, "kari@example.no")

	p.click("nav-progress")
	p.tapUntil("body-link", "fitness-card")
	p.waitVisible("fitness-age-missing")
	if got := p.text("fitness-age-missing"); !strings.Contains(got, "kvinne eller mann") {
		t.Errorf("without a sex the body screen says %q, want what is missing", got)
	}
	// Its two buttons, stacked on a phone, keep apart.
	gap := eval[float64](p, `(() => {
		const [a, b] = [...document.querySelector('[data-testid=fitness-actions]').children].map((e) => e.getBoundingClientRect());
		return b.top >= a.bottom - 1 ? b.top - a.bottom : b.left - a.right;
	})()`)
	if gap < 8 {
		t.Errorf("the fitness-age card's buttons are %.0f px apart, want 8 or more", gap)
	}
	p.screenshot("fitness-age-missing")

	p.click("nav-settings")
	p.waitVisible("profile-save")
	p.setValue("profile-birth-year", "1971")
	p.setValue("profile-sex", "female")
	p.click("profile-save")
	p.waitJS("the profile to reach the server", `(async () => !(await `+idbJS+`('meta', 'pendingProfile')) &&
		document.querySelector('[data-testid=profile-status]').textContent === 'Lagret.')()`)
	var me struct {
		User struct {
			Sex *string `json:"sex"`
		} `json:"user"`
	}
	kari.must(http.MethodGet, "/api/v1/me", nil, &me, http.StatusOK)
	if me.User.Sex == nil || *me.User.Sex != "female" {
		t.Fatalf("the server's sex is %v, want female", me.User.Sex)
	}

	phone.setOffline(true)
	p.click("nav-progress")
	p.tapUntil("body-link", "m-save")
	for _, m := range []map[string]string{
		{"m-date": "2026-01-12", "m-vo2max": "36", "m-vo2maxSource": "test", "m-weightKg": "84.5", "m-systolic": "142", "m-diastolic": "91"},
		{"m-date": "2026-05-04", "m-vo2max": "39", "m-vo2maxSource": "watch", "m-restingHr": "61", "m-waistCm": "92"},
	} {
		for id, v := range m {
			p.setValue(id, v)
		}
		p.click("m-save")
		p.waitJS("the measurement to be listed", `document.querySelectorAll('[data-testid=measurement]').length > 0 &&
			!document.querySelector('[data-testid=m-vo2max]').value`)
	}
	p.waitVisible("chart-fitness-age")
	if got := p.text("fitness-age-change"); !strings.HasPrefix(got, "10 år yngre enn ved første måling") {
		t.Errorf("the change says %q, want 10 years younger first", got)
	}
	// 39 ml/kg/min for a woman is the mean at 40; she turns 55 in 2026.
	if got := p.text("fitness-age"); got != "Kondisjonsalderen din er 40 år. Du er 55." {
		t.Errorf("fitness age says %q", got)
	}
	p.screenshot("body-fitness-age-offline")

	p.setValue("m-vo2max", "95")
	p.click("m-save")
	p.waitVisible("m-error")
	if got := p.text("m-error"); !strings.Contains(got, "10") || !strings.Contains(got, "90") {
		t.Errorf("a VO2max of 95 gives %q, want the range 10–90", got)
	}
	p.screenshotBottom("body-measurements-offline")

	phone.setOffline(false)
	p.waitSynced()
	var got []map[string]any
	for _, d := range serverDocs(t, kari) {
		if d.Type != "measurement" {
			continue
		}
		values := map[string]any{}
		for name, f := range d.Fields {
			var v any
			if err := json.Unmarshal(f.Value, &v); err != nil {
				t.Fatal(err)
			}
			values[name] = v
		}
		got = append(got, values)
	}
	if len(got) != 2 {
		t.Fatalf("the server holds %d measurements, want 2: %v", len(got), got)
	}
	for _, m := range got {
		switch m["date"] {
		case "2026-01-12":
			if m["vo2max"] != 36.0 || m["vo2maxSource"] != "test" || m["weightKg"] != 84.5 || m["systolic"] != 142.0 || m["diastolic"] != 91.0 {
				t.Errorf("January's measurement = %v", m)
			}
		case "2026-05-04":
			if m["vo2max"] != 39.0 || m["vo2maxSource"] != "watch" || m["restingHr"] != 61.0 || m["waistCm"] != 92.0 {
				t.Errorf("May's measurement = %v", m)
			}
		default:
			t.Errorf("unexpected measurement %v", m)
		}
	}

	p.click("fitness-hide")
	p.waitVisible("fitness-show")
	p.do("reloading", chromedp.Reload())
	p.waitVisible("fitness-show")
	phone.gate.noLeaks(t)
}
