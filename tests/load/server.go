package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	gosync "sync"
	"syscall"
	"time"
)

// buildServer builds the server binary into dir.
func buildServer(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "dagbok")
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/hit4x4/dagbok/server").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./server: %v\n%s", err, out)
	}
	return bin, nil
}

// server is the running server process.
type server struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{} // closed when the process has ended
	err  error         // its exit, once done

	mu   gosync.Mutex
	tail []string // its last log lines
}

// startServer starts bin on a free loopback port with its data in data,
// believing X-Forwarded-For from loopback (each device sends its own
// address, as behind a reverse proxy, so per-address limits apply per
// device), and waits until it answers /healthz. Its environment holds its
// settings and only the Go runtime's variables (GOGC, GOMEMLIMIT, …) of
// this one, so that a MONGODB_URI here does not move it off SQLite.
func startServer(ctx context.Context, bin, data string) (*server, error) {
	cmd := exec.Command(bin)
	cmd.Env = []string{"ADDR=127.0.0.1:0", "DATA_DIR=" + data, "LOG_FORMAT=json", "TRUSTED_PROXIES=127.0.0.1/32"}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GO") || strings.HasPrefix(kv, "PATH=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, done: make(chan struct{})}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.tail = append(s.tail, line)
			if len(s.tail) > 20 {
				s.tail = s.tail[1:]
			}
			s.mu.Unlock()
			var rec struct {
				URL string `json:"url"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.URL != "" {
				select {
				case urlc <- strings.TrimSuffix(rec.URL, "/"):
				default:
				}
			}
		}
		s.err = cmd.Wait()
		close(s.done)
	}()
	select {
	case s.url = <-urlc:
	case <-s.done:
		return nil, fmt.Errorf("the server exited before it listened: %v\n%s", s.err, s.logs())
	case <-time.After(30 * time.Second):
		s.kill()
		return nil, fmt.Errorf("the server did not log its URL within 30 s\n%s", s.logs())
	}
	for end := time.Now().Add(15 * time.Second); ; {
		res, err := http.Get(s.url + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(end) {
			s.kill()
			return nil, fmt.Errorf("%s/healthz never answered 200: %v", s.url, err)
		}
		select {
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
			s.kill()
			return nil, ctx.Err()
		}
	}
}

func (s *server) logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.tail, "\n")
}

// stop sends SIGTERM and waits up to 15 s for a clean exit.
func (s *server) stop() error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-s.done:
		if s.err != nil {
			return fmt.Errorf("the server exited with %v\n%s", s.err, s.logs())
		}
		return nil
	case <-time.After(15 * time.Second):
		s.kill()
		return errors.New("the server did not stop within 15 s of SIGTERM")
	}
}

// kill ends the process if it still runs.
func (s *server) kill() {
	select {
	case <-s.done:
	default:
		s.cmd.Process.Kill()
		<-s.done
	}
}

// fileLimit is the process's soft limit of open files.
func (s *server) fileLimit() int {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/limits", s.cmd.Process.Pid))
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "Max open files"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				n, _ := strconv.Atoi(f[0])
				return n
			}
		}
	}
	return 0
}

// Usage is what the server process used at its peak, and how long its
// requests queued for the store's connections.
type Usage struct {
	PeakRSS        int64 // bytes: VmHWM, the resident set's high-water mark since it started
	PeakFiles      int   // open file descriptors (one per connection, and the database's)
	PeakGoroutines int   // go_goroutines of /metrics
	// ReadPool and WritePool are the SQLite pools' waits while watched
	// (from /metrics), when the server exported them.
	ReadPool, WritePool Pool
	Pools               bool
}

// watch samples the server's open files and goroutines every period
// until the returned function is called, which returns the peaks and the
// peak RSS the kernel kept.
func (s *server) watch(period time.Duration) func() Usage {
	var u Usage
	stop, stopped := make(chan struct{}), make(chan struct{})
	// The waits are counted from here on: the phase watched, not the
	// sign-ins before it.
	m0 := s.metrics()
	r0, _ := pool(m0, "sqlite_read")
	w0, _ := pool(m0, "sqlite_write")
	sample := func() {
		if ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", s.cmd.Process.Pid)); err == nil {
			u.PeakFiles = max(u.PeakFiles, len(ents))
		}
		m := s.metrics()
		u.PeakGoroutines = max(u.PeakGoroutines, int(m["go_goroutines"]))
		var okR, okW bool
		u.ReadPool, okR = pool(m, "sqlite_read")
		u.WritePool, okW = pool(m, "sqlite_write")
		u.Pools = okR && okW
		u.ReadPool.Waits -= r0.Waits
		u.ReadPool.Wait -= r0.Wait
		u.WritePool.Waits -= w0.Waits
		u.WritePool.Wait -= w0.Wait
	}
	go func() {
		defer close(stopped)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			sample()
			select {
			case <-t.C:
			case <-stop:
				return
			}
		}
	}()
	return func() Usage {
		close(stop)
		<-stopped
		sample()
		u.PeakRSS = s.peakRSS()
		return u
	}
}

// peakRSS reads VmHWM from /proc/<pid>/status, in bytes.
func (s *server) peakRSS() int64 {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// metrics reads the server's /metrics and returns the value of every
// sample line, keyed by its name and labels as written
// (`go_sql_wait_count_total{db_name="sqlite_read"}`), or nil.
func (s *server) metrics() map[string]float64 {
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := c.Get(s.url + "/metrics")
	if err != nil {
		return nil
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	out := map[string]float64{}
	for line := range bytes.Lines(body) {
		if bytes.HasPrefix(line, []byte("#")) {
			continue
		}
		i := bytes.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(string(bytes.TrimSpace(line[i+1:])), 64); err == nil {
			out[string(line[:i])] = v
		}
	}
	return out
}

// Pool is what requests waited for a connection of one of the SQLite
// store's pools, over the server's life.
type Pool struct {
	Waits int           // requests that found every connection taken
	Wait  time.Duration // their waits, summed
}

// pool reads the wait metrics of the pool named name (sqlite_read,
// sqlite_write) from m, and whether they were there.
func pool(m map[string]float64, name string) (Pool, bool) {
	n, ok1 := m[`go_sql_wait_count_total{db_name="`+name+`"}`]
	d, ok2 := m[`go_sql_wait_duration_seconds_total{db_name="`+name+`"}`]
	return Pool{Waits: int(n), Wait: time.Duration(d * float64(time.Second))}, ok1 && ok2
}
