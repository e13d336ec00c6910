package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	gosync "sync"
	"syscall"
	"time"
)

// Config is one run of the load test.
type Config struct {
	Devices  int
	Duration time.Duration // how long the devices push and pull
	Every    time.Duration // one push and one pull per device per Every; 0: back to back
	// AtOnce starts every device at the same instant, the writer's worst
	// case; otherwise the devices start at even intervals across the
	// first period, each then on its own clock, as phones are.
	AtOnce bool
	Server string    // server binary; "": built into a temporary folder
	Out    io.Writer // progress and the report
}

// Report is what a run measured.
type Report struct {
	Devices  int
	AtOnce   bool                       // every device at the same instant (Config.AtOnce, or unpaced)
	Paced    bool                       // one push and pull per device per period (Config.Every > 0)
	Elapsed  time.Duration              // of the push-and-pull phase
	Requests int                        // in that phase
	Routes   map[string][]time.Duration // latencies by route, sorted
	Errors   []error                    // every failed request, any phase
	Server   Usage                      // the server process's peaks
	// Converged counts the devices whose documents, pulled to the end,
	// equal the store's state of their patient and hold every document
	// the device pushed; Diverged says why each other device did not.
	Converged int
	Diverged  []string
	// Pulls are the pulls of the push-and-pull phase with when in its
	// device's period each began.
	Pulls []StartedPull
}

// StartedPull is a pull's latency and how long after the start of its
// device's period it began.
type StartedPull struct{ Latency, Start time.Duration }

// earlyPull is the part of a period the report counts slow pulls in:
// with every device at once, the time the server and the devices are
// busy with that instant's pushes.
const earlyPull = 250 * time.Millisecond

// SlowPulls counts the pulls of 10 × the median or more, and how many of
// them began in the first earlyPull of their device's period.
func (r *Report) SlowPulls() (slow, early int) {
	limit := 10 * Quantile(r.Routes["pull"], 0.50)
	for _, p := range r.Pulls {
		if p.Latency >= limit {
			slow++
			if p.Start < earlyPull {
				early++
			}
		}
	}
	return slow, early
}

// Routes in the order they are reported.
var routeOrder = []string{"refresh", "push", "pull", "final pull"}

// Run runs the load test described by c.
func Run(ctx context.Context, c Config) (*Report, error) {
	if c.Devices < 1 || c.Duration <= 0 || c.Every < 0 {
		return nil, errors.New("want at least one device and a positive duration")
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	if err := raiseFileLimit(c.Devices+256, c.Out); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "dagbok-load-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := c.Server
	if bin == "" {
		fmt.Fprintln(c.Out, "building the server…")
		if bin, err = buildServer(ctx, dir); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		return nil, err
	}
	fmt.Fprintf(c.Out, "seeding %d patients and their sessions through the store…\n", c.Devices)
	t0 := time.Now()
	devs, err := seed(ctx, filepath.Join(data, "app.db"), c.Devices)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(c.Out, "seeded in %v\n", time.Since(t0).Round(100*time.Millisecond))

	srv, err := startServer(ctx, bin, data)
	if err != nil {
		return nil, err
	}
	defer srv.kill()
	fmt.Fprintf(c.Out, "server pid %d at %s (open files: soft limit %d)\n", srv.cmd.Process.Pid, srv.url, srv.fileLimit())

	rep := &Report{Devices: c.Devices, Routes: map[string][]time.Duration{}}
	var rec recorder
	// Each device keeps its own connection, as a phone does: 2,000 devices
	// hold 2,000 connections open (the server keeps idle ones 2 minutes),
	// even when few of them send at a time.
	for _, d := range devs {
		d.hc = &http.Client{
			Transport: &http.Transport{MaxIdleConnsPerHost: 1, IdleConnTimeout: time.Minute},
			Timeout:   30 * time.Second, // bounded even if the server hangs
		}
		defer d.hc.CloseIdleConnections()
	}

	fmt.Fprintf(c.Out, "%d devices trade their refresh tokens for access tokens…\n", c.Devices)
	onEach(len(devs), 32, func(i int) { devs[i].signIn(ctx, srv.url, &rec) })
	if n := len(rec.errors); n > 0 {
		rec.report(rep)
		return rep, fmt.Errorf("%d devices could not sign in, e.g. %v", n, rec.errors[0])
	}

	// Unpaced devices (Every 0) have no period to spread over.
	rep.AtOnce, rep.Paced = c.AtOnce || c.Every == 0, c.Every > 0
	how := "spread across the period"
	if rep.AtOnce {
		how = "all at once"
	}
	fmt.Fprintf(c.Out, "%d devices, one push of 3 documents and one pull every %v each (%s), for %v…\n", c.Devices, c.Every, how, c.Duration)
	stopWatch := srv.watch(time.Second)
	rec.reset("push", "pull")
	start := time.Now()
	deadline := start.Add(c.Duration)
	onEach(len(devs), len(devs), func(i int) {
		first := start
		if !rep.AtOnce {
			first = start.Add(c.Every * time.Duration(i) / time.Duration(len(devs)))
		}
		devs[i].run(ctx, srv.url, first, c.Every, deadline, &rec)
	})
	rep.Elapsed = time.Since(start)
	rep.Requests = len(rec.lat["push"]) + len(rec.lat["pull"])

	fmt.Fprintln(c.Out, "every device pulls to the end…")
	onEach(len(devs), 64, func(i int) { devs[i].catchUp(ctx, srv.url, &rec) })
	for _, d := range devs {
		d.hc.CloseIdleConnections()
	}
	rep.Server = stopWatch()
	if err := srv.stop(); err != nil {
		rec.add("server", 0, err)
	}
	rec.report(rep)

	fmt.Fprintln(c.Out, "comparing every device's documents with the store…")
	if err := converged(ctx, filepath.Join(data, "app.db"), devs, rep); err != nil {
		return rep, err
	}
	rep.Print(c.Out)
	return rep, nil
}

// onEach runs f(0…n-1), at most par at once, and waits for all.
func onEach(n, par int, f func(i int)) {
	var wg gosync.WaitGroup
	sem := make(chan struct{}, par)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			f(i)
		})
	}
	wg.Wait()
}

// raiseFileLimit makes sure this process may hold need open files (one
// connection per device, and some), raising the soft limit up to the hard
// one if it must. The server, a Go program, raises its own soft limit to
// its hard limit when it starts.
func raiseFileLimit(need int, out io.Writer) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	if lim.Cur >= uint64(need) {
		return nil
	}
	if lim.Max < uint64(need) {
		return fmt.Errorf("%d devices need %d open files; the hard limit is %d (ulimit -Hn)", need-256, need, lim.Max)
	}
	fmt.Fprintf(out, "raising the open-file limit from %d to %d\n", lim.Cur, lim.Max)
	lim.Cur = lim.Max
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}

// recorder keeps every request's latency by route, and the errors; for
// pulls also when in its device's period each began.
type recorder struct {
	mu     gosync.Mutex
	lat    map[string][]time.Duration
	pulls  []StartedPull
	errors []error
}

// addPull records a pull of the push-and-pull phase that began start
// after its device's period began.
func (r *recorder) addPull(d, start time.Duration, err error) {
	r.add("pull", d, err)
	if err == nil {
		r.mu.Lock()
		r.pulls = append(r.pulls, StartedPull{d, start})
		r.mu.Unlock()
	}
}

func (r *recorder) add(route string, d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lat == nil {
		r.lat = map[string][]time.Duration{}
	}
	if err != nil {
		r.errors = append(r.errors, fmt.Errorf("%s: %w", route, err))
		return
	}
	r.lat[route] = append(r.lat[route], d)
}

// reset forgets the latencies of routes (a warm-up's).
func (r *recorder) reset(routes ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range routes {
		delete(r.lat, k)
	}
	r.pulls = nil
}

// report copies the figures into rep.
func (r *recorder) report(rep *Report) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, l := range r.lat {
		l = slices.Clone(l)
		slices.Sort(l)
		rep.Routes[k] = l
	}
	rep.Pulls = slices.Clone(r.pulls)
	rep.Errors = slices.Clone(r.errors)
}

// Quantile is the q-quantile of sorted latencies.
func Quantile(l []time.Duration, q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	return l[min(len(l)-1, int(q*float64(len(l))))]
}

// Print writes the report.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "\n%d devices: %d requests in %.1f s: %.0f requests/s, %d errors\n",
		r.Devices, r.Requests, r.Elapsed.Seconds(), float64(r.Requests)/r.Elapsed.Seconds(), len(r.Errors))
	for _, k := range routeOrder {
		l := r.Routes[k]
		if len(l) == 0 {
			continue
		}
		p50, p99 := Quantile(l, 0.50), Quantile(l, 0.99)
		fmt.Fprintf(w, "%-10s %6d  p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms  max %6.1f ms  (p99/p50 %.1f)\n", k, len(l),
			ms(p50), ms(Quantile(l, 0.95)), ms(p99), ms(l[len(l)-1]), float64(p99)/float64(max(p50, 1)))
	}
	if slow, early := r.SlowPulls(); slow > 0 && r.Paced {
		fmt.Fprintf(w, "pulls of 10 × p50 or more: %d, %d of them begun in the first %d ms of their device's period\n", slow, early, earlyPull.Milliseconds())
	}
	fmt.Fprintf(w, "server: peak RSS %.1f MiB, at most %d open files and %d goroutines\n",
		float64(r.Server.PeakRSS)/(1<<20), r.Server.PeakFiles, r.Server.PeakGoroutines)
	if r.Server.Pools {
		fmt.Fprintf(w, "waits for a store connection: readers %d (%.2f s in all), writer %d (%.2f s in all)\n",
			r.Server.ReadPool.Waits, r.Server.ReadPool.Wait.Seconds(), r.Server.WritePool.Waits, r.Server.WritePool.Wait.Seconds())
	}
	fmt.Fprintf(w, "converged: %d of %d devices\n", r.Converged, r.Devices)
	for i, err := range r.Errors {
		if i == 5 {
			fmt.Fprintf(w, "… and %d more errors\n", len(r.Errors)-5)
			break
		}
		fmt.Fprintln(w, "error:", err)
	}
	for i, d := range r.Diverged {
		if i == 5 {
			break
		}
		fmt.Fprintln(w, "diverged:", d)
	}
}

// atOnceBound is the p99 ÷ p50 a run with every device at once fails at:
// pulls measured 8.4–15.0 on 3 December, so a tail about twice the
// longest fails.
const atOnceBound = 25

// Check returns what the run failed of its targets: no failed request,
// p99 under 10 × p50 for pushes and pulls, every device converged, peak
// RSS at most maxRSS bytes. The latency target is the for devices
// on their own clocks; with every device at the same instant (AtOnce) the
// pulls that begin while that instant's pushes are read and written wait
// for the cores with them — on one machine with the devices themselves —
// and the bound is atOnceBound (docs/benchmarks.md).
func (r *Report) Check(maxRSS int64) error {
	var fail []error
	if n := len(r.Errors); n > 0 {
		fail = append(fail, fmt.Errorf("%d requests failed", n))
	}
	bound := time.Duration(10)
	if r.AtOnce {
		bound = atOnceBound
	}
	for _, k := range []string{"push", "pull"} {
		l := r.Routes[k]
		if p50, p99 := Quantile(l, 0.50), Quantile(l, 0.99); p99 >= bound*p50 {
			fail = append(fail, fmt.Errorf("%s p99 %.1f ms is %d × p50 (%.1f ms) or more", k, ms(p99), bound, ms(p50)))
		}
	}
	if r.Converged != r.Devices {
		fail = append(fail, fmt.Errorf("%d of %d devices did not converge", r.Devices-r.Converged, r.Devices))
	}
	if r.Server.PeakRSS > maxRSS {
		fail = append(fail, fmt.Errorf("peak RSS %.1f MiB is over %d MiB", float64(r.Server.PeakRSS)/(1<<20), maxRSS>>20))
	}
	return errors.Join(fail...)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
