package ferrettest_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hit4x4/dagbok/store/mongostore/ferrettest"
)

// TestStartStopRestart checks that the server answers, stops answering once
// stopped, and comes back on the same URI with its data after Restart.
func TestStartStopRestart(t *testing.T) {
	srv := ferrettest.Start(t)
	uri := srv.URI()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, err := mongo.Connect(options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(2 * time.Second).SetTimeout(5 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())

	coll := client.Database("ferrettest").Collection("things")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}, {Key: "n", Value: 1}}); err != nil {
		t.Fatalf("insert: %v", err)
	}

	srv.Stop()
	if err := client.Ping(ctx, nil); err == nil {
		t.Fatal("ping succeeded on a stopped server")
	}
	srv.Stop() // stopping twice is harmless

	if err := srv.Restart(); err != nil {
		t.Fatalf("restart: %v", err)
	}
	if got := srv.URI(); got != uri {
		t.Fatalf("URI after restart = %q, want %q", got, uri)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := client.Ping(ctx, nil)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ping after restart: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var doc struct {
		N int `bson:"n"`
	}
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "a"}}).Decode(&doc); err != nil {
		t.Fatalf("find after restart: %v", err)
	}
	if doc.N != 1 {
		t.Fatalf("n = %d after restart, want 1", doc.N)
	}
}

// TestParallelServers starts servers from parallel subtests whose names
// hold characters that are special in a file URI.
func TestParallelServers(t *testing.T) {
	for _, name := range []string{"plain", "with#hash", "with?query"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := ferrettest.Start(t)
			client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
			if err != nil {
				t.Fatal(err)
			}
			defer client.Disconnect(context.Background())
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := client.Ping(ctx, nil); err != nil {
				t.Fatalf("ping: %v", err)
			}
		})
	}
}
