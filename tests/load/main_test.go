package main

import (
	"strings"
	"testing"
	"time"
)

// TestSmoke runs the whole command at a few devices for two seconds: the
// server binary built and started as a process of its own on a store
// seeded before it starts, devices signed in by refresh, pushing and
// pulling, every device converged to the store's state after SIGTERM,
// and the server's peaks read. The municipality-scale run is a documented
// command (docs/benchmarks.md), not a test.
func TestSmoke(t *testing.T) {
	bin, err := buildServer(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const devices = 4
	var out strings.Builder
	rep, err := Run(t.Context(), Config{Devices: devices, Duration: 2 * time.Second, Every: 250 * time.Millisecond, Server: bin, Out: &out})
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) > 0 {
		t.Errorf("%d requests failed, the first: %v", len(rep.Errors), rep.Errors[0])
	}
	if rep.Converged != devices || len(rep.Diverged) > 0 {
		t.Errorf("%d of %d devices converged: %v", rep.Converged, devices, rep.Diverged)
	}
	if got := len(rep.Routes["refresh"]); got != devices {
		t.Errorf("%d refreshes, want one per device", got)
	}
	pushes, pulls := len(rep.Routes["push"]), len(rep.Routes["pull"])
	if pushes < devices || pulls != pushes || rep.Requests != pushes+pulls {
		t.Errorf("%d pushes and %d pulls of %d requests; want as many pulls as pushes, at least one each a device", pushes, pulls, rep.Requests)
	}
	if len(rep.Routes["final pull"]) < devices {
		t.Errorf("%d final pulls, want at least one per device", len(rep.Routes["final pull"]))
	}
	if rep.Server.PeakRSS < 1<<20 || rep.Server.PeakFiles < devices || rep.Server.PeakGoroutines < devices {
		t.Errorf("server peaks %+v: want an RSS over 1 MiB and an open file and a goroutine per device at least", rep.Server)
	}
	if !rep.Server.Pools {
		t.Error("the server's /metrics has no wait metrics of the SQLite pools")
	}
	if err := rep.Check(rep.Server.PeakRSS - 1); err == nil || !strings.Contains(err.Error(), "peak RSS") {
		t.Errorf("Check with a bound under the peak RSS = %v, want it to fail on the RSS", err)
	}
}

// TestCheck: a pull p99 of 20 × p50 fails a run of devices on their own
// clocks and passes one with every device at once, whose bound is looser
// (40 × fails it); slow pulls are counted by when in their period they
// began.
func TestCheck(t *testing.T) {
	ms := time.Millisecond
	pulls := []StartedPull{{Latency: 2 * ms, Start: 900 * ms}, {Latency: 2 * ms, Start: 50 * ms}, {Latency: 3 * ms, Start: 400 * ms},
		{Latency: 40 * ms, Start: 120 * ms}, {Latency: 60 * ms, Start: 600 * ms}}
	rep := Report{Devices: 1, Converged: 1, Paced: true, Pulls: pulls, Routes: map[string][]time.Duration{
		"push": {ms, ms, ms},
		"pull": {2 * ms, 2 * ms, 3 * ms, 40 * ms, 60 * ms},
	}}
	if err := rep.Check(1 << 30); err == nil || !strings.Contains(err.Error(), "pull p99") {
		t.Errorf("devices on their own clocks: Check = %v, want the pull p99 to fail it", err)
	}
	rep.AtOnce = true
	if err := rep.Check(1 << 30); err != nil {
		t.Errorf("every device at once, pull p99 20 × p50: Check = %v, want it within the looser bound", err)
	}
	if slow, early := rep.SlowPulls(); slow != 2 || early != 1 {
		t.Errorf("SlowPulls = %d, %d; want 2 pulls of 10 × p50 or more, 1 of them early in its period", slow, early)
	}
	rep.Routes["pull"] = []time.Duration{2 * ms, 2 * ms, 2 * ms, 40 * ms, 80 * ms}
	if err := rep.Check(1 << 30); err == nil || !strings.Contains(err.Error(), "25 × p50") {
		t.Errorf("every device at once, pull p99 40 × p50: Check = %v, want it to fail", err)
	}
}
