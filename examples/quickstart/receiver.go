package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/signature"
)

// consumer is the service at the instances' callback URL: your
// application, receiving the notifications. receiver.Receiver does the
// work: it verifies the signature against the consumer's key, checks the
// timestamp, drops duplicates and decodes the notification; handle only
// sees notifications that passed, and prints one line per event.
type consumer struct {
	out     io.Writer
	handler http.Handler

	// restarting makes the next request fail with 503, as a consumer
	// does while it restarts: the Notifier retries it.
	restarting atomic.Bool

	mu       sync.Mutex
	received []received
	requests []verified
}

// received is one event of a verified notification.
type received struct {
	EventID      string // the notification's id
	InstanceID   string
	InstanceName string
	Type         events.Type
	ObjectType   string
	ObjectID     string
	Date         time.Time
}

// verified is a notification request the Receiver accepted, as it came:
// kept so that the test can check every signature again on its own.
type verified struct {
	Header http.Header
	Body   []byte
}

// newConsumer returns a consumer that accepts notifications signed with
// any of keys and prints to out.
func newConsumer(out io.Writer, keys []signature.Key) (*consumer, error) {
	c := &consumer{out: out}
	rcv, err := receiver.New(receiver.Config{
		Keys:   keys,
		Handle: c.handle,
	})
	if err != nil {
		return nil, err
	}
	// The middleware runs handle, then passes the request on with its
	// body restored: keep a copy.
	c.handler = rcv.Middleware(http.HandlerFunc(c.keep))
	return c, nil
}

// ServeHTTP answers 503 once if the consumer is restarting, and otherwise
// hands the request to the Receiver.
func (c *consumer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c.restarting.CompareAndSwap(true, false) {
		fmt.Fprintln(c.out, "       consumer answers 503 (restarting); the Notifier will retry")
		http.Error(w, "restarting", http.StatusServiceUnavailable)
		return
	}
	c.handler.ServeHTTP(w, r)
}

// handle is the application's part: it gets each verified notification
// once. Returning an error would answer 500 and the Notifier would retry.
func (c *consumer) handle(_ context.Context, n events.Notification) error {
	m := n.Message
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range m.Events {
		c.received = append(c.received, received{
			EventID: m.EventID, InstanceID: m.InstanceID, InstanceName: m.InstanceName,
			Type: e.EventType, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Date: e.Date,
		})
		fmt.Fprintf(c.out, "       got  %s  %-11s %-4s %-7s  %s %s\n",
			e.Date.UTC().Format(time.RFC3339), m.InstanceName, m.InstanceID, e.EventType, e.ObjectType, e.ObjectID)
	}
	return nil
}

// keep records the request the Receiver accepted.
func (c *consumer) keep(_ http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests = append(c.requests, verified{Header: r.Header.Clone(), Body: bytes.Clone(body)})
}

// results returns copies of what the consumer received.
func (c *consumer) results() ([]received, []verified) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]received(nil), c.received...), append([]verified(nil), c.requests...)
}
