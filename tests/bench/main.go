// Command bench runs the project's published comparisons in one process,
// each side by side with its raw baseline in alternating rounds (see
// internal/bench/scenario), on the SQLite store in a temporary folder and
// over loopback HTTP, and prints their figures: a table with the
// machine's details, or with -json one JSON object per line,
//
//	{"name": …, "value": …, "unit": …, "baseline": …, "ratio": …, "target": …}
//
// where value is the operation's figure in unit, baseline the raw side's
// in the same unit, ratio their ratio over the summed times of all rounds
// (as the target states it) and target the bound it should meet. The
// names are stable (push_vs_raw_upsert, pull_year_vs_raw_find,
// group_progress_vs_raw_find, push_fanout_vs_encrypt). Progress goes to
// stderr.
//
//	go run ./tests/bench            # the sizes docs/benchmarks.md publishes
//	go run ./tests/bench -quick     # small sizes, under a minute
//	go run ./tests/bench -json -rounds 20
//	go run ./tests/bench -quick -mongodb-uri mongodb://127.0.0.1:27017/
//
// With -mongodb-uri the store comparisons (push, pull, group progress) run
// on MongoDB instead, against the driver's own batched writes and finds
// (mongostore's raw.go), each in a fresh database that is dropped after;
// their names end in "_mongodb". The fan-out, which measures the
// scheduler and Web Push rather than the store, runs only on SQLite.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/hit4x4/dagbok/internal/bench/scenario"
)

func main() {
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	z := scenario.Full
	quick := fs.Bool("quick", false, "small sizes (4 phones × 2 batches, 50 members, 1,000 reminders, 6 rounds): under a minute")
	asJSON := fs.Bool("json", false, "print one JSON object per comparison and line")
	rounds := fs.Int("rounds", 10, "alternating rounds of each comparison")
	fs.IntVar(&z.Phones, "phones", z.Phones, "phones pushing at once")
	fs.IntVar(&z.Batches, "batches", z.Batches, "batches of 100 documents each phone pushes per round")
	fs.IntVar(&z.Members, "members", z.Members, "members of the group on the progress page")
	fs.IntVar(&z.Weeks, "weeks", z.Weeks, "weeks of sessions (three a week) per member")
	fs.IntVar(&z.Reminders, "reminders", z.Reminders, "reminders due in each fan-out round")
	mongoURI := fs.String("mongodb-uri", "", "run the store comparisons (push, pull, group progress) on the MongoDB at this URI instead, each in a database of its own that it drops after")
	fs.Parse(os.Args[1:])
	if *quick {
		z, *rounds = Quick, 6
	}
	if err := run(os.Stdout, os.Stderr, comparisons(z, *mongoURI), z, *rounds, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// Quick are the sizes of -quick.
var Quick = scenario.Sizes{Phones: 4, Batches: 2, Members: 50, Weeks: 52, Reminders: 1000}

// Result is one line of the JSON contract.
type Result struct {
	Name     string  `json:"name"`
	Value    float64 `json:"value"`
	Unit     string  `json:"unit"`
	Baseline float64 `json:"baseline"`
	Ratio    float64 `json:"ratio"`
	Target   string  `json:"target"`
}

// Met reports whether the ratio meets its target (">= x" or "<= x").
func (r Result) Met() bool {
	var bound float64
	if _, err := fmt.Sscanf(r.Target[2:], "%g", &bound); err != nil {
		return false
	}
	if strings.HasPrefix(r.Target, ">=") {
		return r.Ratio >= bound
	}
	return r.Ratio <= bound
}

// comparisons are the comparisons to run at sizes z: all of them on the
// SQLite store, or with a MongoDB URI the store comparisons on MongoDB,
// named with the suffix "_mongodb".
func comparisons(z scenario.Sizes, mongoURI string) []scenario.Comparison {
	if mongoURI != "" {
		return scenario.StoreComparisons(z, scenario.MongoDB(mongoURI), "_mongodb")
	}
	return scenario.All(z)
}

// run runs the comparisons cs for rounds alternating rounds (at sizes z)
// and writes the results to out, progress to log.
func run(out, log io.Writer, cs []scenario.Comparison, z scenario.Sizes, rounds int, asJSON bool) error {
	if rounds < 1 {
		return errors.New("-rounds must be at least 1")
	}
	// testing.Benchmark runs a benchmark once and then for -test.benchtime;
	// "Nx" makes that exactly N rounds.
	testing.Init()
	if err := flag.Set("test.benchtime", fmt.Sprintf("%dx", rounds)); err != nil {
		return err
	}
	var results []Result
	for _, c := range cs {
		fmt.Fprintf(log, "%s: %d rounds…\n", c.Name, rounds)
		start := time.Now()
		res := testing.Benchmark(c.Run)
		if res.N == 0 {
			return fmt.Errorf("%s failed; %s says why", c.Name, c.GoTest)
		}
		r := Result{Name: c.Name, Value: res.Extra[c.Unit], Unit: c.Unit, Baseline: res.Extra["raw-"+c.Unit],
			Ratio: res.Extra[c.Ratio], Target: c.Target}
		fmt.Fprintf(log, "%s: ratio %.3g (target %s) in %v\n", c.Name, r.Ratio, r.Target, time.Since(start).Round(time.Second))
		results = append(results, r)
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetEscapeHTML(false) // the targets' ">=" as it is
		for _, r := range results {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprintf(out, "machine: %s, %d cores, %s/%s, %s\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Fprintf(out, "sizes: %d phones × %d batches of 100, %d members × %d weeks, %d reminders; %d rounds\n\n",
		z.Phones, z.Batches, z.Members, z.Weeks, z.Reminders, rounds)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "comparison\tvalue\tbaseline\tunit\tratio\ttarget\tmet\t")
	for _, r := range results {
		met := "yes"
		if !r.Met() {
			met = "NO"
		}
		fmt.Fprintf(tw, "%s\t%.4g\t%.4g\t%s\t%.3f\t%s\t%s\t\n", r.Name, r.Value, r.Baseline, r.Unit, r.Ratio, r.Target, met)
	}
	return tw.Flush()
}

// cpuModel is the CPU's model name from /proc/cpuinfo, or "unknown CPU".
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
