package main

// The callback receiver the end-to-end tests run the program against: it
// verifies what the program delivers with receiver.Receiver. The store the
// program polls is vendortest's WooCommerce (see harness_test.go).

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	consumer "github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/signature"
)

// receiver is the service at the callback URL: it verifies every
// notification with receiver.Receiver and keeps it. A notification that hold
// matches is held in flight, its request unanswered, until release is
// closed, so that a test can stop the program while a delivery is in
// flight.
type receiver struct {
	hold    func(events.Notification) bool
	held    chan events.Notification
	release chan struct{}
	once    sync.Once

	mu  sync.Mutex
	got []events.Notification
}

func newReceiver(t *testing.T, key []byte, hold func(events.Notification) bool) (*receiver, *httptest.Server) {
	rc := &receiver{hold: hold, held: make(chan events.Notification, 1), release: make(chan struct{})}
	h, err := consumer.New(consumer.Config{
		Keys:   []signature.Key{key},
		Handle: rc.handle,
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("POST /element-events", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(rc.releaseAll) // before srv.Close, which waits for the held request
	return rc, srv
}

func (rc *receiver) handle(ctx context.Context, n events.Notification) error {
	if rc.hold != nil && rc.hold(n) {
		rc.held <- n
		select {
		case <-rc.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.got = append(rc.got, n)
	return nil
}

// releaseAll answers the held request, if any; it may be called twice.
func (rc *receiver) releaseAll() { rc.once.Do(func() { close(rc.release) }) }

// notifications returns what was received so far.
func (rc *receiver) notifications() []events.Notification {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

// find returns the received notification of instanceID with an event of
// type typ for object id, if any.
func (rc *receiver) find(instanceID string, typ events.Type, objectType, id string) (events.Notification, bool) {
	for _, n := range rc.notifications() {
		if n.Message.InstanceID != instanceID {
			continue
		}
		for _, e := range n.Message.Events {
			if e.EventType == typ && e.ObjectType == objectType && e.ObjectID == id {
				return n, true
			}
		}
	}
	return events.Notification{}, false
}
