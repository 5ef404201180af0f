package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/signature"
)

// The Notifier on a fake clock, delivering one poll's events to a
// receiver served by httptest. The fake clock fixes every timestamp the
// Notifier writes (webhook-timestamp here), and in tests drives retries
// and backoff without waiting; a service leaves Clock unset.
func ExampleNotifier() {
	key := []byte("a-signature-key") // the instance's event.notification.signature.key
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))

	// The receiver verifies each request on the same clock, then prints it.
	v, err := signature.NewVerifier(signature.VerifierConfig{Keys: []signature.Key{key}, Clock: clock})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := v.Verify(body, r.Header); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var n events.Notification
		if err := json.Unmarshal(body, &n); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		m := n.Message
		fmt.Println("verified", m.EventID, "signed at", r.Header.Get(signature.HeaderWebhookTimestamp))
		for _, e := range m.Events {
			fmt.Println(" ", m.InstanceName, e.EventType, e.ObjectType, e.ObjectID, e.Date.Format(time.RFC3339))
		}
	}))
	defer srv.Close()

	attempts := make(chan notify.AttemptInfo, 1)
	n, err := notify.New(notify.Config{
		Clock:     clock,
		Policy:    notify.DeliveryPolicy{Guard: netguard.Guard{AllowPrivate: true}}, // httptest listens on loopback
		Logger:    slog.New(slog.DiscardHandler),
		OnAttempt: func(a notify.AttemptInfo) { attempts <- a },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()

	// What a poll of customers found: one new, one changed.
	at := clock.Now().Add(-2 * time.Minute)
	evs := []events.Event{
		{Type: events.Created, ObjectType: "customers", ObjectID: "42", Date: at},
		{Type: events.Updated, ObjectType: "customers", ObjectID: "7", Date: at},
	}
	for i := range evs {
		e := &evs[i]
		e.ID = events.NewID("123", e.ObjectType, e.ObjectID, e.Type, e.Date)
		e.ElementKey, e.HubKey, e.PollDate = "woocommercerest", "ecommerce", clock.Now()
	}
	err = n.Publish(ctx, events.Batch{
		Instance: events.Instance{ID: "123", Name: "shop", ElementKey: "woocommercerest"},
		Endpoint: events.Endpoint{URL: srv.URL + "/element-events", Key: key},
		Source:   events.FromPolling, // up to 10 events a notification
		Events:   evs,
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	a := <-attempts // Publish returned once stored; the attempt follows at once
	fmt.Println("attempt", a.Number, a.Status, a.Outcome)
	stop() // Run returns once the attempts in flight are done
	<-done
	fmt.Printf("%+v\n", n.Stats())
	// Output:
	// verified 86b19f95-8fc9-8f9d-aa77-262653222062 signed at 1795521600
	//   shop CREATED customers 42 2026-11-24T11:58:00Z
	//   shop UPDATED customers 7 2026-11-24T11:58:00Z
	// attempt 1 200 delivered
	// {Enqueued:1 Attempts:1 Delivered:1 Retried:0 Dead:0}
}
