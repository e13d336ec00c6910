package tests

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// bluetoothStub stands in for Web Bluetooth, which headless Chromium lacks
// (it has no adapter): navigator.bluetooth on Navigator.prototype, with
// one heart-rate strap that the chooser always picks and getDevices
// returns once it was picked. The test drives it through __hrm: emit(bytes)
// sends a 0x2A37 notification, drop() breaks the connection and makes the
// next connects wait until back().
const bluetoothStub = `(() => {
  const ch = new EventTarget();
  ch.startNotifications = async () => ch;
  const service = { getCharacteristic: async (name) => { if (name !== 'heart_rate_measurement') throw new Error('no ' + name); return ch; } };
  let inRange = Promise.resolve();
  let arrive = () => {};
  const device = new EventTarget();
  device.id = 'strap-1';
  device.name = 'Stub HRM';
  device.gatt = {
    connected: false,
    async connect() { await inRange; this.connected = true; __hrm.connects++; return this; },
    disconnect() { this.connected = false; },
    async getPrimaryService(name) { if (name !== 'heart_rate') throw new Error('no ' + name); return service; },
  };
  let paired = false;
  const bluetooth = {
    async requestDevice(opts) {
      __hrm.requested = JSON.stringify(opts);
      __hrm.chosen++;
      paired = true;
      return device;
    },
    async getDevices() { return paired ? [device] : []; },
  };
  Object.defineProperty(Navigator.prototype, 'bluetooth', { get: () => bluetooth, configurable: true });
  globalThis.__hrm = {
    connects: 0,
    chosen: 0,
    requested: '',
    emit(bytes) {
      ch.value = new DataView(Uint8Array.from(bytes).buffer);
      ch.dispatchEvent(new Event('characteristicvaluechanged'));
      return true;
    },
    drop() {
      inRange = new Promise((res) => { arrive = res; });
      device.gatt.connected = false;
      device.dispatchEvent(new Event('gattserverdisconnected'));
      return true;
    },
    back() { arrive(); return true; },
  };
})();`

// TestBrowserHeartRateSensor: a patient pairs a chest strap (a stand-in
// for Web Bluetooth) before a 4x4 session. During the first work interval
// the live heart rate shows against the zone, in colour and words, with
// the time in zone; the connection drops and comes back while the timer
// keeps running; the exertion sheet comes with the interval's peak filled
// in, and the session reaches the server with the peak, average and time
// in zone, while the 1 s trace stays on the phone. The next session
// reconnects without the chooser; Settings forgets the strap.
func TestBrowserHeartRateSensor(t *testing.T) {
	srv := startServer(t)
	const email = "tor@example.no"
	tor := signUp(t, srv.URL, email)
	// HRmax 200: the work zone is 170–190.
	tor.must(http.MethodPatch, "/api/v1/me", map[string]any{"hrMax": 200}, nil, http.StatusOK)
	phone := newBrowser(t, "phone", srv.URL)
	phone.initScripts = append(phone.initScripts, bluetoothStub)
	p := phone.signIn(email)
	p.waitSynced()

	p.click("nav-today")
	p.tapUntil("start-4x4", "timer-begin")
	p.click("hr-connect")
	p.waitJS("the strap to connect", `document.querySelector('[data-testid=hr-panel]').dataset.state === 'connected'`)
	if got := p.text("hr-status"); got != "Tilkoblet: Stub HRM" {
		t.Errorf("after pairing the panel says %q", got)
	}
	if got := eval[string](p, `__hrm.requested`); !strings.Contains(got, `"heart_rate"`) {
		t.Errorf("the chooser was asked for %s, want the heart-rate service", got)
	}
	p.screenshot("hr-setup-connected")

	eval[float64](p, fmt.Sprintf(`__testClock.set(%d)`, -int64(total4x4Sec+60)*1000))
	p.click("timer-begin")
	p.waitJS("the warm-up", `document.querySelector('#timer-running.phase-warmup')`)

	// sample moves the clock to sec into the session and sends a reading
	// with skin contact.
	sample := func(sec, bpm int) {
		t.Helper()
		jumpTo(p, float64(sec))
		eval[bool](p, fmt.Sprintf(`__hrm.emit([0x06, %d])`, bpm))
	}
	shows := func(bpm, place string) {
		t.Helper()
		p.waitJS("the heart rate "+bpm+" "+place, fmt.Sprintf(`document.querySelector('[data-testid=hr-bpm]').textContent === %q &&
			document.querySelector('[data-testid=hr-live]').classList.contains('hr-%s')`, bpm, place))
	}
	sample(warmupSec+10, 175)
	shows("175", "in")
	if got := p.text("hr-word"); got != "i sonen" {
		t.Errorf("in the zone the panel says %q", got)
	}
	sample(warmupSec+11, 182)
	p.waitJS("the time in zone", `document.querySelector('[data-testid=hr-inzone]').textContent === 'Tid i sonen: 0:02'`)
	p.screenshot("hr-work-in-zone")
	sample(warmupSec+12, 195)
	shows("195", "above")
	// A reading without skin contact is not a heart rate.
	jumpTo(p, warmupSec+13)
	eval[bool](p, `__hrm.emit([0x04, 30])`)
	sample(warmupSec+14, 160)
	shows("160", "below")
	p.screenshot("hr-work-below-zone")

	eval[bool](p, `__hrm.drop()`)
	p.waitJS("the loss to be told", `document.querySelector('[data-testid=hr-panel]').dataset.state === 'lost'`)
	if got := p.text("hr-status"); !strings.HasPrefix(got, "Mistet kontakten med pulsbeltet") {
		t.Errorf("a lost strap is told as %q", got)
	}
	before := p.text("timer-countdown")
	jumpTo(p, warmupSec+60)
	p.waitJS("the timer to keep running", fmt.Sprintf(`document.querySelector('[data-testid=timer-countdown]').textContent !== %q`, before))
	p.screenshot("hr-lost")
	eval[bool](p, `__hrm.back()`)
	p.waitJS("the strap to reconnect by itself", `document.querySelector('[data-testid=hr-panel]').dataset.state === 'connected' && __hrm.connects === 2`)
	sample(warmupSec+61, 185)
	shows("185", "in")

	jumpTo(p, warmupSec+workSec+5)
	p.waitVisible("rpe-picker")
	if got := eval[string](p, `document.querySelector('[data-testid=hr-peak]').value`); got != "195" {
		t.Errorf("the sheet's heart rate is %q, want the interval's peak 195", got)
	}
	p.screenshot("hr-rpe-sheet")
	p.click("rpe-16")
	p.waitJS("the sheet to close", `!document.querySelector('[data-testid=rpe-picker]')`)

	jumpTo(p, total4x4Sec+1)
	p.waitVisible("session-save")
	p.click("session-rpe-7")
	p.click("session-save")
	p.waitVisible("last-session")
	p.waitSynced()

	id, fields := onlySession(t, tor)
	// 175, 182, 195, 160, 185: peak 195, average 179.4, three seconds in 170–190.
	want := []any{map[string]any{"rpe": 16.0, "hrPeak": 195.0, "hrAvg": 179.0, "inZoneSec": 3.0}}
	if got := fields["intervals"]; !reflect.DeepEqual(got, want) {
		t.Errorf("the server's intervals = %v, want %v", got, want)
	}
	trace := eval[[][]int](p, idbJS+fmt.Sprintf(`('meta', 'hrtrace:%s').then((v) => v && v.trace)`, id))
	if len(trace) != 5 || trace[0][0] != warmupSec+10 || trace[0][1] != 175 || trace[4][1] != 185 {
		t.Errorf("the trace kept on the phone = %v, want the five readings at 1 s resolution", trace)
	}
	if left := eval[bool](p, idbJS+`('meta', 'hrtrace').then((v) => v !== null)`); left {
		t.Error("the trace of the session in progress is left behind")
	}

	p.tapUntil("start-4x4", "timer-begin")
	p.waitJS("the strap to reconnect without the chooser", `document.querySelector('[data-testid=hr-panel]').dataset.state === 'connected' && __hrm.chosen === 1`)
	p.tapUntil("timer-back", "start-4x4")
	p.click("nav-settings")
	p.waitJS("the strap in Settings", `document.querySelector('[data-testid=hr-panel]').dataset.state === 'connected'`)
	eval[bool](p, `(document.querySelector('[data-testid=hr-panel]').scrollIntoView({block: 'center'}), true)`)
	p.screenshot("hr-settings")
	var export struct {
		Traces map[string]struct {
			Trace [][]int `json:"trace"`
		} `json:"heartRateTraces"`
	}
	if err := json.Unmarshal(p.exportFile(), &export); err != nil {
		t.Fatal(err)
	}
	if got := export.Traces["hrtrace:"+id].Trace; len(got) != 5 {
		t.Errorf("the export holds the trace %v, want its five readings", got)
	}
	p.click("hr-forget")
	p.waitVisible("hr-connect")
	if kept := eval[bool](p, `localStorage.getItem('hrSensor') !== null`); kept {
		t.Error("the strap is remembered after forgetting it")
	}
}

// TestBrowserNoBluetooth: where the browser has no Web Bluetooth (iOS
// Safari, Firefox; headless Chromium without the stub) no sensor is
// offered and the sheet's heart-rate field is empty as before, and the
// app's headers cost no error in the console (Chromium does not know
// "bluetooth" in a Permissions-Policy).
func TestBrowserNoBluetooth(t *testing.T) {
	srv := startServer(t)
	_, _, p := newPhone(t, srv, "una@example.no")
	p.click("nav-today")
	p.tapUntil("start-4x4", "timer-begin")
	if eval[bool](p, `'bluetooth' in navigator && !!navigator.bluetooth`) {
		t.Skip("this Chromium offers Web Bluetooth")
	}
	if eval[bool](p, `!!document.querySelector('[data-testid=hr-panel]')`) {
		t.Error("a heart-rate sensor is offered without Web Bluetooth")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.logs {
		if strings.Contains(l, "Permissions-Policy") {
			t.Errorf("the console says %q", l)
		}
	}
}
