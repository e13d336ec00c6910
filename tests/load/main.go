// Command load is the bounded load test of the sync API. It builds the
// server (go build ./server into a temporary folder, unless -server names
// a binary), seeds its SQLite file through the store before the server
// starts (one patient and one signed-in session per simulated device),
// starts the real binary on loopback with that data folder, and has every
// device trade its seeded refresh token for an access token
// (POST /api/v1/auth/refresh), then push 3 documents and pull once per
// period for a fixed time. At the end every device pulls to the end of
// its log; the server is stopped with SIGTERM and every device's documents
// are compared with the store's state for its patient.
//
// It prints the request rate, the errors, p50/p95/p99 per route, the
// server's peak RSS (VmHWM), open files and goroutines, and exits 1 when a
// request failed, a p99 is 10 times its p50 or more (25 with -at-once), a
// device did not converge, or the peak RSS is over -max-rss.
//
//	go run ./tests/load                                                 # 200 devices, every 1 s, 60 s
//	go run ./tests/load -devices 2000 -every 10s -duration 60s          # a municipality
//	go run ./tests/load -devices 2000 -every 10s -duration 60s -at-once # every phone at the same instant
//
// The devices start at even intervals across the first period, each then
// on its own clock, as phones are. With -at-once every device pushes at
// the same instant of each period, the worst case for the one writer: it
// must still lose nothing, converge and stay within -max-rss, and its p99
// must stay under 25 × its p50 (Report.Check).
//
// It listens on loopback only and stops by itself. docs/benchmarks.md
// records its figures and docs/reliability.md what they show.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	var c Config
	flag.IntVar(&c.Devices, "devices", 200, "simulated devices, each its own patient")
	flag.DurationVar(&c.Duration, "duration", 60*time.Second, "how long every device pushes and pulls")
	flag.DurationVar(&c.Every, "every", time.Second, "each device pushes and pulls once per this period (0: as fast as it can)")
	flag.BoolVar(&c.AtOnce, "at-once", false, "start every device at the same instant instead of at even intervals across the first period")
	flag.StringVar(&c.Server, "server", "", "server binary to run (default: go build ./server into a temporary folder)")
	maxRSS := flag.Int("max-rss", 256, "peak RSS of the server, MiB, above which the run fails")
	flag.Parse()
	c.Out = os.Stdout
	rep, err := Run(context.Background(), c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
	if err := rep.Check(int64(*maxRSS) << 20); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}
