package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/hit4x4/dagbok/internal/bench/scenario"
)

// TestJSONContract runs every comparison at tiny sizes and checks the
// -json contract: one object per line with exactly the six fields, the
// four published names, positive figures.
func TestJSONContract(t *testing.T) {
	var out bytes.Buffer
	tiny := scenario.Sizes{Phones: 2, Batches: 1, Members: 3, Weeks: 2, Reminders: 5}
	if err := run(&out, io.Discard, tiny, 2, true); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"push_vs_raw_upsert": true, "pull_year_vs_raw_find": true,
		"group_progress_vs_raw_find": true, "push_fanout_vs_encrypt": true}
	sc := bufio.NewScanner(&out)
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
		delete(want, line["name"].(string))
	}
	for name := range want {
		t.Errorf("no line for %s", name)
	}
}
