// Package mongostore is the store.Store on MongoDB (go.mongodb.org/mongo-driver/v2),
// for deployments that outgrow one SQLite file: stateless server instances on
// a replica set, sharded by sync scope when one set is not enough.
//
// It works on a standalone mongod and on a replica set, and it stays inside
// what FerretDB 1.x (SQLite handler) also serves, because that is what its
// tests run on: no multi-document transactions, no change streams, no TTL
// indexes, no pipeline updates, no accumulators beyond $sum/$count, and bulk
// writes of at most 50 operations.
//
// Every step that must be atomic is an insert guarded by a unique index: a
// document's next revision, the next change-log sequence number, a refresh
// token's use, an invite's next use. FerretDB runs an update (also
// findAndModify) as a read and a separate write, so a filter on an update
// guards nothing there; on MongoDB the same inserts are just as atomic.
//
// FerretDB also decodes a whole collection for every query except a lookup
// by _id alone, so the hot paths that can (the replay check, finding the
// change-log head, reading small pull pages) look records up by _id.
//
// Records are typed structs with bson tags; filters are built from typed
// values, never from decoded request maps, so client input cannot become a
// query operator. Times are kept to the millisecond (BSON dates), in UTC.
//
// The package never logs and starts no goroutines of its own.
package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"

	"github.com/hit4x4/dagbok/store"
)

// DefaultDatabase is the database used when neither Config.Database nor the
// URI names one.
const DefaultDatabase = "dagbok"

// maxBulk is the largest number of operations sent in one bulk write or
// insert: FerretDB hangs on bulk writes of 100 or more updates that hit
// existing documents.
const maxBulk = 50

// Config says where the store lives.
type Config struct {
	// URI is a MongoDB connection string, e.g. mongodb://db1,db2/?replicaSet=rs0.
	URI string
	// Database is the database name; empty means the URI's, else DefaultDatabase.
	Database string
	// Now reads the clock for the store's own bookkeeping (when a batch was
	// applied, when a document state was written: the time a tombstone
	// ages from); nil means time.Now.
	Now func() time.Time
}

// Store is a store.Store on one MongoDB database. It is safe for concurrent
// use, also by several processes sharing the database.
type Store struct {
	client     *mongo.Client
	db         *mongo.Database
	replicated bool
	// afterWrite, set only by tests (export_test.go), runs in Push
	// between the document write and the log append.
	afterWrite  func(ctx context.Context) error
	now         func() time.Time
	users       *mongo.Collection
	groups      *mongo.Collection
	memberships *mongo.Collection
	invites     *mongo.Collection
	tokens      *mongo.Collection
	docs        *mongo.Collection // current state of each sync document
	log         *mongo.Collection // the change log
	pullLog     *mongo.Collection // the change log as pullers read it
	batches     *mongo.Collection // applied push batches
	horizons    *mongo.Collection // compaction marks per scope
	heads       *headCache        // the last log head seen per scope
	tokenUses   *mongo.Collection // one record per used refresh token
	inviteUses  *mongo.Collection // one record per use of an invite
	pushSubs    *mongo.Collection // Web Push subscriptions by endpoint
	reminderSet *mongo.Collection // reminder settings by user
	claims      *mongo.Collection // one record per lease taken on a reminder
	audit       *mongo.Collection // reads of patients' data by others
	resets      *mongo.Collection // one-time password-reset codes
	schedules   *mongo.Collection // peer groups' weekly sessions, _id = group id
	rsvps       *mongo.Collection // members' answers for a session date
	attendance  *mongo.Collection // members ticked present at a session date
	invitations *mongo.Collection // peer groups' codes handed to patients, _id = user/group
}

var _ store.Store = (*Store)(nil)

// Open connects, checks that the server answers, chooses the write concern
// (majority with journal on a replica set or sharded cluster) and creates the
// indexes (idempotent, so every instance may do it at start). The caller must
// Close the store.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.URI == "" {
		return nil, errors.New("mongostore: no URI")
	}
	dbName := cfg.Database
	if dbName == "" {
		cs, err := connstring.ParseAndValidate(cfg.URI)
		if err != nil {
			return nil, fmt.Errorf("mongostore: parse URI: %w", err)
		}
		dbName = cs.Database
	}
	if dbName == "" {
		dbName = DefaultDatabase
	}
	client, err := mongo.Connect(options.Client().ApplyURI(cfg.URI))
	if err != nil {
		return nil, fmt.Errorf("mongostore: connect: %w", err)
	}
	s, err := open(ctx, client, dbName, cfg)
	if err != nil {
		disconnect(client)
		return nil, err
	}
	return s, nil
}

func open(ctx context.Context, client *mongo.Client, dbName string, cfg Config) (*Store, error) {
	if err := client.Ping(ctx, readpref.Primary()); err != nil {
		return nil, fmt.Errorf("mongostore: ping: %w", err)
	}
	replicated, err := isReplicated(ctx, client)
	if err != nil {
		return nil, err
	}
	dbOpts := options.Database()
	if replicated {
		// An acknowledged push must survive the loss of the primary.
		journal := true
		dbOpts.SetWriteConcern(&writeconcern.WriteConcern{W: writeconcern.WCMajority, Journal: &journal})
	}
	db := client.Database(dbName, dbOpts)
	s := &Store{
		client:      client,
		db:          db,
		replicated:  replicated,
		now:         cfg.Now,
		users:       db.Collection("users"),
		groups:      db.Collection("groups"),
		memberships: db.Collection("memberships"),
		invites:     db.Collection("invites"),
		tokens:      db.Collection("refresh_tokens"),
		docs:        db.Collection("sync_docs"),
		log:         db.Collection("sync_log"),
		batches:     db.Collection("sync_batches"),
		horizons:    db.Collection("sync_marks"),
		heads:       newHeadCache(),
		tokenUses:   db.Collection("refresh_token_uses"),
		inviteUses:  db.Collection("invite_uses"),
		pushSubs:    db.Collection("push_subscriptions"),
		reminderSet: db.Collection("reminder_settings"),
		claims:      db.Collection("reminder_claims"),
		audit:       db.Collection("audit"),
		resets:      db.Collection("reset_codes"),
		schedules:   db.Collection("group_schedules"),
		rsvps:       db.Collection("group_rsvps"),
		attendance:  db.Collection("group_attendance"),
		invitations: db.Collection("invitations"),
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.pullLog = s.log
	if replicated {
		s.pullLog = db.Collection("sync_log", options.Collection().SetReadConcern(readconcern.Majority()))
	}
	if err := s.createIndexes(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// isReplicated asks the server (hello) whether it is a replica-set member or
// a mongos router, where majority write concern is meaningful.
func isReplicated(ctx context.Context, client *mongo.Client) (bool, error) {
	var hello struct {
		SetName string `bson:"setName"`
		Msg     string `bson:"msg"`
	}
	err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello)
	if err != nil {
		return false, fmt.Errorf("mongostore: hello: %w", err)
	}
	return hello.SetName != "" || hello.Msg == "isdbgrid", nil
}

// Database returns the name of the store's database.
func (s *Store) Database() string { return s.db.Name() }

// Replicated reports whether the store writes with majority write concern
// (the deployment is a replica set or a sharded cluster).
func (s *Store) Replicated() bool { return s.replicated }

type index struct {
	coll   *mongo.Collection
	keys   bson.D
	unique bool
}

func (s *Store) createIndexes(ctx context.Context) error {
	asc := func(names ...string) bson.D {
		d := make(bson.D, len(names))
		for i, n := range names {
			d[i] = bson.E{Key: n, Value: 1}
		}
		return d
	}
	// Natural keys (user id, group id, invite code, token hash) are _id and
	// unique by definition.
	indexes := []index{
		{s.users, asc("email"), true},
		{s.groups, asc("ownerId", "createdAt"), false},
		{s.memberships, asc("groupId", "userId"), true},
		{s.memberships, asc("userId", "joinedAt"), false},
		{s.invites, asc("createdBy", "createdAt"), false},
		{s.tokens, asc("family"), false},
		{s.tokens, asc("userId"), false},
		{s.docs, asc("scope", "id", "rev"), true},
		{s.log, asc("scope", "seq"), true},
		{s.log, asc("scope", "id"), false},
		{s.batches, asc("scope", "batchId"), true},
		{s.horizons, asc("scope"), false},
		{s.tokenUses, asc("userId"), false},
		{s.inviteUses, asc("code"), false},
		{s.pushSubs, asc("userId", "createdAt"), false},
		{s.claims, asc("key", "gen"), true},
		{s.claims, asc("userId"), false},
		{s.claims, asc("createdAt"), false},
		{s.audit, asc("userId", "at"), false},
		{s.resets, asc("userId"), false},
		{s.rsvps, asc("groupId", "date", "at"), false},
		{s.rsvps, asc("userId"), false},
		{s.attendance, asc("groupId", "date", "userId"), false},
		{s.attendance, asc("userId"), false},
		{s.users, asc("role", "createdAt"), false},
		{s.invitations, asc("userId", "createdAt"), false},
		{s.invitations, asc("groupId"), false},
	}
	for _, ix := range indexes {
		model := mongo.IndexModel{Keys: ix.keys}
		if ix.unique {
			model.Options = options.Index().SetUnique(true)
		}
		if _, err := ix.coll.Indexes().CreateOne(ctx, model); err != nil {
			return fmt.Errorf("mongostore: create index %v on %s: %w", ix.keys, ix.coll.Name(), err)
		}
	}
	return nil
}

// Ping reports whether the primary answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("mongostore: ping: %w", err)
	}
	return nil
}

// Close disconnects from the server.
func (s *Store) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.client.Disconnect(ctx); err != nil {
		return fmt.Errorf("mongostore: close: %w", err)
	}
	return nil
}

func disconnect(client *mongo.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = client.Disconnect(ctx)
}

// mapErr turns driver errors into the store's sentinels: a server out of
// disk space becomes store.ErrStorageFull, a duplicate key
// store.ErrDuplicate and no document store.ErrNotFound; everything is
// wrapped with what was being done.
func mapErr(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrStorageFull):
		return fmt.Errorf("mongostore: %s: %w", what, err)
	case outOfDisk(err):
		// Before the duplicate check: a bulk write may fail with both.
		return fmt.Errorf("mongostore: %s: %w: %w", what, store.ErrStorageFull, err)
	case errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("mongostore: %s: %w", what, store.ErrNotFound)
	case mongo.IsDuplicateKeyError(err):
		return fmt.Errorf("mongostore: %s: %w (%v)", what, store.ErrDuplicate, err)
	}
	return fmt.Errorf("mongostore: %s: %w", what, err)
}

// codeOutOfDiskSpace is MongoDB's error code OutOfDiskSpace.
const codeOutOfDiskSpace = 14031

// diskFullMessages are what a server says when its disk is full without
// the OutOfDiskSpace code: WiredTiger and PostgreSQL (under FerretDB)
// pass on the system's ENOSPC text, SQLite (under FerretDB) its own.
var diskFullMessages = []string{"No space left on device", "database or disk is full"}

// outOfDisk reports whether err is a server's answer that it has no disk
// space for the write: a command, write or bulk-write error (or its write
// concern error) with the code OutOfDiskSpace or one of the texts above.
func outOfDisk(err error) bool {
	var se mongo.ServerError
	if !errors.As(err, &se) {
		return false
	}
	if se.HasErrorCode(codeOutOfDiskSpace) {
		return true
	}
	for _, m := range diskFullMessages {
		if se.HasErrorMessage(m) {
			return true
		}
	}
	return false
}

// ms rounds t to what a BSON date keeps, in UTC.
func ms(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMilli(t.UnixMilli()).UTC()
}

// optTime stores an optional time: nil (BSON null) when zero.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	m := ms(t)
	return &m
}

// fromOpt reads an optional time back.
func fromOpt(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
