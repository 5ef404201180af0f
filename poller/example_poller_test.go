package poller_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/poller"
)

// listing is a Source serving a fixed list of customers, for the example.
type listing struct{ records []string }

func (l *listing) Fetch(context.Context, poller.Request) (*poller.Page, error) {
	p := &poller.Page{Total: len(l.records), TotalPages: 1}
	for _, r := range l.records {
		p.Records = append(p.Records, json.RawMessage(r))
	}
	return p, nil
}

func ExamplePoller_Poll() {
	inst, _ := element.Parse([]byte(`{"id": "42", "element": {"key": "woocommercerest"},
	  "configuration": {"event.notification.enabled": true, "event.vendor.type": "polling",
	    "event.notification.callback.url": "https://app.example.com/events",
	    "event.poller.configuration": {"customers": {"url": "/hubs/ecommerce/customers", "idField": "id",
	      "datesConfiguration": {"updatedDateField": "date_modified_gmt", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "updatedDateTimezone": "GMT",
	        "createdDateField": "date_created_gmt", "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "createdDateTimezone": "GMT"}}}}}`))
	store := &listing{records: []string{
		`{"id": 1, "date_created_gmt": "2026-11-24T09:00:00", "date_modified_gmt": "2026-11-24T09:00:00"}`,
	}}
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	p, err := poller.New(poller.Config{
		Instance: inst,
		Source:   store, // default: an HTTPSource built from the element definition
		Sink: events.SinkFunc(func(_ context.Context, b events.Batch) error {
			for _, e := range b.Events {
				fmt.Println(e.Type, e.ObjectType, e.ObjectID)
			}
			return nil
		}),
		Clock: clock,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	p.Poll(ctx) // the first cycle takes a baseline and reports nothing

	clock.Advance(15 * time.Minute)
	store.records = []string{
		`{"id": 1, "date_created_gmt": "2026-11-24T09:00:00", "date_modified_gmt": "2026-11-24T12:05:00"}`,
		`{"id": 2, "date_created_gmt": "2026-11-24T12:10:00", "date_modified_gmt": "2026-11-24T12:10:00"}`,
	}
	res := p.Poll(ctx)
	fmt.Println(res[0].Pages, "page,", res[0].Records, "records")
	// Output:
	// UPDATED customers 1
	// CREATED customers 2
	// 1 page, 2 records
}
