package tests

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/hit4x4/dagbok/sync"
)

// device is a phone or tablet as the sync protocol sees it: a local copy of
// the patient's documents, an outbox of unacknowledged batches, a pull
// cursor and its own hybrid logical clock. It follows the same rules as the
// PWA's sync client.
type device struct {
	name   string
	c      *client
	clock  *sync.Clock
	docs   map[string]sync.Doc
	outbox []batch
	cursor string
}

type batch struct {
	ID   string
	Docs []sync.Doc
}

func newDevice(name string, c *client) *device {
	return &device{name: name, c: c, clock: sync.NewClock(name, time.Now), docs: map[string]sync.Doc{}}
}

// onClock makes the device stamp by now instead of the real time.
func (d *device) onClock(now func() time.Time) *device {
	d.clock = sync.NewClock(d.name, now)
	return d
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// edit stamps each field with the device clock, applies it locally and puts
// the change in the outbox as one batch.
func (d *device) edit(docID, docType string, fields map[string]any) {
	d.editBatch(map[string]map[string]any{docID: fields}, docType)
}

// editBatch changes several documents of one type in one outbox batch.
func (d *device) editBatch(changes map[string]map[string]any, docType string) {
	var b batch
	b.ID = newID()
	for id, fields := range changes {
		change := sync.Doc{ID: id, Type: docType, Fields: map[string]sync.Field{}}
		for name, v := range fields {
			raw, err := json.Marshal(v)
			if err != nil {
				panic(err)
			}
			change.Fields[name] = sync.Field{Value: raw, TS: d.clock.Now().String()}
		}
		d.docs[id] = sync.Merge(d.docs[id], change)
		b.Docs = append(b.Docs, change)
	}
	d.outbox = append(d.outbox, b)
}

// pushOne sends the oldest outbox batch and drops it once acknowledged.
// It reports whether a batch was acknowledged.
func (d *device) pushOne(ctx context.Context) (bool, error) {
	if len(d.outbox) == 0 {
		return false, nil
	}
	b := d.outbox[0]
	var out sync.PushResponse
	code, err := d.c.do(ctx, http.MethodPost, "/api/v1/sync/push", sync.PushRequest{BatchID: b.ID, Docs: b.Docs}, &out)
	if err != nil {
		return false, err
	}
	if code != http.StatusOK {
		return false, fmt.Errorf("%s: push answered %d", d.name, code)
	}
	d.outbox = d.outbox[1:]
	return true, nil
}

// push sends the whole outbox.
func (d *device) push(ctx context.Context) error {
	for len(d.outbox) > 0 {
		if _, err := d.pushOne(ctx); err != nil {
			return err
		}
	}
	return nil
}

// pull follows the change log to its end, merging every document it gets,
// and updates the HLC from the stamps it sees.
func (d *device) pull(ctx context.Context, limit int) error {
	for {
		var page sync.PullResponse
		q := url.Values{"cursor": {d.cursor}, "limit": {strconv.Itoa(limit)}}
		code, err := d.c.do(ctx, http.MethodGet, "/api/v1/sync/pull?"+q.Encode(), nil, &page)
		if err != nil {
			return err
		}
		if code != http.StatusOK {
			return fmt.Errorf("%s: pull answered %d", d.name, code)
		}
		for _, doc := range page.Docs {
			d.docs[doc.ID] = sync.Merge(d.docs[doc.ID], doc)
			if ts, err := sync.ParseTimestamp(doc.MaxTS()); err == nil {
				d.clock.Update(ts)
			}
		}
		d.cursor = page.Cursor
		if !page.More {
			return nil
		}
	}
}

// sync pushes the outbox, then pulls.
func (d *device) sync(ctx context.Context) error {
	if err := d.push(ctx); err != nil {
		return err
	}
	return d.pull(ctx, 50)
}

// sameDocs fails the test unless every device holds byte-identical documents.
func sameDocs(t *testing.T, devices ...*device) {
	t.Helper()
	want, err := json.Marshal(devices[0].docs)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devices[1:] {
		got, err := json.Marshal(d.docs)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("%s and %s differ:\n%s\n%s", devices[0].name, d.name, want, got)
		}
	}
}
