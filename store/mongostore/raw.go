package mongostore

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hit4x4/dagbok/store"
	"github.com/hit4x4/dagbok/sync"
)

// The raw ceiling of the store, as sqlitestore's raw.go is SQLite's: the
// driver's own batched writes of a push and find of a pull with nothing
// around them (no replay check, no read before the write, no merge, no
// log-head search). `go run ./tests/bench -mongodb-uri …` compares Push
// and Pull with these in the same run. Nothing in the server calls them.

// RawRows is a batch of documents encoded as a push writes them.
type RawRows []logRec

// EncodeRaw encodes docs for RawWrite; the benchmarks call it before the
// timer starts, as a phone encodes its batch before sending it.
func EncodeRaw(docs []sync.Doc) (RawRows, error) {
	rows := make(RawRows, len(docs))
	for i, d := range docs {
		fields, err := store.EncodeFields(d.Fields)
		if err != nil {
			return nil, fmt.Errorf("document %s: %w", d.ID, err)
		}
		rows[i] = logRec{ID: d.ID, Type: d.Type, Fields: string(fields), Size: int64(len(fields))}
	}
	return rows, nil
}

// RawWrite writes rows into scope as new documents the way a push's writes
// reach the database — unordered bulk inserts of their first revisions,
// then ordered bulk inserts of their change-log entries with sequence
// numbers from firstSeq — at most maxBulk a round trip, and nothing else.
func (s *Store) RawWrite(ctx context.Context, scope string, firstSeq int64, rows RawRows) error {
	now := ms(s.now())
	for start := 0; start < len(rows); start += maxBulk {
		chunk := rows[start:min(start+maxBulk, len(rows))]
		docs := make([]any, len(chunk))
		entries := make([]any, len(chunk))
		for i, r := range chunk {
			seq := firstSeq + int64(start+i)
			docs[i] = docRec{Scope: scope, ID: r.ID, Rev: 1, Type: r.Type, Fields: r.Fields, Size: r.Size, WrittenAt: now}
			entries[i] = logRec{Key: logKey(scope, seq), Scope: scope, Seq: seq, ID: r.ID, Type: r.Type, Fields: r.Fields, Size: r.Size, WrittenAt: now}
		}
		if _, err := s.docs.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
			return mapErr("raw write: documents", err)
		}
		if _, err := s.log.InsertMany(ctx, entries); err != nil {
			return mapErr("raw write: log", err)
		}
	}
	return nil
}

// RawRead finds the first limit change-log entries of scope in one query
// (sorted by sequence number, as pullers read them), reads them off the
// cursor without decoding them, and returns how many it read.
func (s *Store) RawRead(ctx context.Context, scope string, limit int) (int, error) {
	filter := bson.D{{Key: "scope", Value: scope}, {Key: "seq", Value: eq("$gt", int64(0))}}
	cur, err := s.pullLog.Find(ctx, filter, options.Find().SetSort(eq("seq", 1)).SetLimit(int64(limit)))
	if err != nil {
		return 0, mapErr("raw read", err)
	}
	defer cur.Close(ctx)
	n := 0
	for cur.Next(ctx) {
		n++
	}
	if err := cur.Err(); err != nil {
		return 0, mapErr("raw read", err)
	}
	return n, nil
}

// DropDatabase removes the store's database and everything in it: the
// benchmarks' throwaway databases.
func (s *Store) DropDatabase(ctx context.Context) error {
	return mapErr("drop database", s.db.Drop(ctx))
}
