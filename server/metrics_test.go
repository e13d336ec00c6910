package main

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/collectors"
)

func TestNewRegistry(t *testing.T) {
	reg, err := newRegistry()
	if err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, mf := range mfs {
		found = found || mf.GetName() == "go_goroutines"
	}
	if !found {
		t.Fatal("no go_goroutines in the registry")
	}
	// A collector that cannot be registered is an error, not a panic.
	if _, err := newRegistry(collectors.NewGoCollector()); err == nil {
		t.Fatal("a second Go collector was accepted")
	}
}
