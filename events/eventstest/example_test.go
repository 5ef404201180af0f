package eventstest_test

import (
	"context"
	"fmt"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/events/eventstest"
)

// A Recorder stands in for the Notifier where a test checks what is
// published.
func ExampleRecorder() {
	var rec eventstest.Recorder
	var sink events.Sink = &rec // what a handler or poller is given

	_ = sink.Publish(context.Background(), events.Batch{
		Instance: events.Instance{ID: "123"},
		Events:   []events.Event{{Type: events.Created, ObjectType: "customers", ObjectID: "42"}},
	})
	for _, e := range rec.Events() {
		fmt.Println(e.Type, e.ObjectType, e.ObjectID)
	}
	// Output: CREATED customers 42
}
