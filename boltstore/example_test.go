package boltstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/a12b7632/elementevents/boltstore"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/notify"
)

// A notification published before the process stops is still in the
// outbox when it starts again, and a new Notifier.Run delivers it.
func Example() {
	dir, err := os.MkdirTemp("", "boltstore-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "elementevents.db")
	ctx := context.Background()

	db, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	n, err := notify.New(notify.Config{Outbox: db.Outbox()})
	if err != nil {
		fmt.Println(err)
		return
	}
	date := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	err = n.Publish(ctx, events.Batch{
		Instance: events.Instance{ID: "4711", ElementKey: "woocommercerest"},
		Endpoint: events.Endpoint{URL: "https://app.example.com/events", Key: []byte("whsec_example")},
		Source:   events.FromWebhook,
		Events: []events.Event{{
			ID:   events.NewID("4711", "customers", "42", events.Created, date),
			Type: events.Created, ObjectType: "customers", ObjectID: "42", Date: date,
		}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = db.Close() // the process stops before n.Run delivered anything

	db, err = boltstore.Open(path, boltstore.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	pending, err := db.Outbox().List(ctx, notify.Filter{State: notify.Pending})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(pending), "notification waiting for", pending[0].Endpoint)
	// Output: 1 notification waiting for https://app.example.com/events
}
