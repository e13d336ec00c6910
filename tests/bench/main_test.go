package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"testing"

	"github.com/hit4x4/dagbok/internal/bench/scenario"
	"github.com/hit4x4/dagbok/store/mongostore/ferrettest"
)

// tiny are sizes at which every comparison runs in seconds.
var tiny = scenario.Sizes{Phones: 2, Batches: 1, Members: 3, Weeks: 2, Reminders: 5}

// TestJSONContract runs every comparison at tiny sizes and checks the
// -json contract: one object per line with exactly the six fields, the
// four published names, positive figures.
func TestJSONContract(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, io.Discard, comparisons(tiny, ""), tiny, 2, true); err != nil {
		t.Fatal(err)
	}
	checkLines(t, &out, "push_vs_raw_upsert", "pull_year_vs_raw_find", "group_progress_vs_raw_find", "push_fanout_vs_encrypt")
}

// TestMongoDB runs the command's comparisons as -mongodb-uri does, against
// the in-test FerretDB: the three store comparisons, named with
// "_mongodb", with positive figures on both sides. With
// BENCH_MONGODB_QUICK=1 it runs them at the sizes and rounds of -quick
// and logs the lines (go test -v), which is how docs/benchmarks.md's
// FerretDB figures are made: there is no MongoDB server here.
func TestMongoDB(t *testing.T) {
	z, rounds := tiny, 2
	if os.Getenv("BENCH_MONGODB_QUICK") == "1" {
		z, rounds = Quick, 6
	}
	db := ferrettest.Start(t)
	var out bytes.Buffer
	if err := run(&out, io.Discard, comparisons(z, db.URI()), z, rounds, true); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	checkLines(t, &out, "push_vs_raw_upsert_mongodb", "pull_year_vs_raw_find_mongodb", "group_progress_vs_raw_find_mongodb")
}

// checkLines checks that out holds exactly one JSON line of the contract
// for each of names.
func checkLines(t *testing.T, out io.Reader, names ...string) {
	t.Helper()
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("%s: %v", sc.Text(), err)
		}
		if len(line) != 6 {
			t.Errorf("%s: %d fields, want 6", sc.Text(), len(line))
		}
		for _, k := range []string{"value", "baseline", "ratio"} {
			if v, ok := line[k].(float64); !ok || v <= 0 {
				t.Errorf("%s: %s = %v, want a positive number", sc.Text(), k, line[k])
			}
		}
		for _, k := range []string{"name", "unit", "target"} {
			if v, ok := line[k].(string); !ok || v == "" {
				t.Errorf("%s: %s = %v, want a string", sc.Text(), k, line[k])
			}
		}
		name, _ := line["name"].(string)
		if !want[name] {
			t.Errorf("unexpected or repeated line %s", sc.Text())
		}
		delete(want, name)
	}
	for name := range want {
		t.Errorf("no line for %s", name)
	}
}
