package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/signature"
	"github.com/a12b7632/elementevents/vendortest"
)

// The demo's credentials, as the README's walkthrough writes them in the
// instance it creates. They guard nothing but the demo.
const (
	demoConsumerKey    = "ck_demo_0123456789abcdef"
	demoConsumerSecret = "cs_demo_0123456789abcdef"
	demoSignatureKey   = "demo-signature-key"
)

// demo is what -demo serves beside the API: a fake WooCommerce store
// (package vendortest's) to poll, a way to add customers to it, and a
// receiver that verifies and logs the notifications.
type demo struct {
	store *vendortest.WooCommerce
	recv  http.Handler
	log   *slog.Logger

	mu   sync.Mutex
	next int // the next customer id
	got  []events.WireEvent
}

// newDemo returns the demo parts; base is the server's own URL.
func newDemo(base string, clock clockwork.Clock, logger *slog.Logger) (*demo, error) {
	store, err := vendortest.NewWooCommerce(vendortest.WooConfig{Key: demoConsumerKey, Secret: demoConsumerSecret, Clock: clock})
	if err != nil {
		return nil, err
	}
	store.SetURL(base + "/demo/woocommerce")
	d := &demo{store: store, log: logger.With("component", "demo"), next: 1}
	d.recv, err = receiver.New(receiver.Config{
		Keys: []signature.Key{signature.Key(demoSignatureKey)}, Clock: clock, Handle: d.handle, Logger: d.log,
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// register mounts the demo on mux.
func (d *demo) register(mux *http.ServeMux) {
	mux.Handle("/demo/woocommerce/", http.StripPrefix("/demo/woocommerce", d.store))
	mux.HandleFunc("POST /demo/customers", d.addCustomer)
	mux.Handle("POST /demo/receiver", d.recv)
	mux.HandleFunc("POST /demo/broken", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "the demo's broken receiver always fails", http.StatusServiceUnavailable)
	})
}

// addCustomer adds a customer to the fake store and answers its id.
func (d *demo) addCustomer(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	id := d.next
	d.next++
	d.mu.Unlock()
	c, err := d.store.CreateCustomer(r.Context(), vendortest.Customer{ID: id, Email: fmt.Sprintf("customer%d@example.com", id),
		FirstName: "Customer", LastName: fmt.Sprint(id), Username: fmt.Sprint("customer", id)})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	d.log.Info("demo store: customer created", "id", c.ID)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]int{"id": c.ID})
}

// handle logs each event of a verified notification.
func (d *demo) handle(_ context.Context, n events.Notification) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, ev := range n.Message.Events {
		d.got = append(d.got, ev)
		d.log.Info("demo receiver: event", "eventId", n.Message.EventID, "instance", n.Message.InstanceID,
			"type", ev.EventType, "object", ev.ObjectType+"/"+ev.ObjectID)
	}
	return nil
}

// received returns the events the receiver verified, in order.
func (d *demo) received() []events.WireEvent {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]events.WireEvent(nil), d.got...)
}
