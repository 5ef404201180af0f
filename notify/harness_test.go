package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/signature"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// evt returns an event of instance 123 at t0, with raw as its record.
func evt(objType, id string, typ events.Type, raw string) events.Event {
	e := events.Event{
		ID: events.NewID("123", objType, id, typ, t0), Type: typ, ObjectType: objType, ObjectID: id,
		ElementKey: "woocommercerest", HubKey: "ecommerce", Date: t0.In(time.FixedZone("PST", -8*3600)),
		PollDate: t0.Add(5 * time.Second),
	}
	if raw != "" {
		e.Raw = json.RawMessage(raw)
	}
	return e
}

// receiver is an httptest callback endpoint that records what it gets and
// answers with whatever respond says.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	requests []received
	respond  func(n int, w http.ResponseWriter, r *http.Request) // n counts requests from 1
}

type received struct {
	at     time.Time
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, clock clockwork.Clock, respond func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	rc := &receiver{respond: respond}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.requests = append(rc.requests, received{at: clock.Now(), header: r.Header.Clone(), body: body})
		n := len(rc.requests)
		rc.mu.Unlock()
		if rc.respond != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			rc.respond(n, w, r)
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) got() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.requests...)
}

// setup returns a notifier on a fake clock, allowed to reach loopback,
// running until the test ends (and checked to stop).
func setup(t *testing.T, cfg notify.Config) (*notify.Notifier, *clockwork.FakeClock) {
	t.Helper()
	clock := clockwork.NewFakeClockAt(t0)
	cfg.Clock = clock
	cfg.Policy.Guard.AllowPrivate = true
	if cfg.Logger == nil {
		cfg.Logger = discardLogger()
	}
	if cfg.Outbox == nil {
		cfg.Outbox = notify.NewMemoryOutbox()
	}
	n, err := notify.New(cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after its context ended")
		}
	})
	return n, clock
}

// drive advances the fake clock from one due time to the next, only while
// the notifier is idle (so no lease or attempt timeout is cut short), until
// done reports true.
func drive(t *testing.T, n *notify.Notifier, clock *clockwork.FakeClock, done func() bool) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			_, idle := n.Idle()
			eps, _ := n.Outbox().Endpoints(ctx)
			t.Fatalf("gave up waiting at fake time %v: idle %v, %+v, endpoints %+v", clock.Now().Sub(t0), idle, n.Stats(), eps)
		}
		before, idle := n.Idle()
		if !idle {
			time.Sleep(200 * time.Microsecond)
			continue
		}
		eps, err := n.Outbox().Endpoints(ctx)
		require.NoError(t, err)
		if after, idle := n.Idle(); !idle || after != before {
			continue // something moved while we looked
		}
		var next time.Time
		for _, ep := range eps {
			if !ep.Disabled && !ep.NextDue.IsZero() && (next.IsZero() || ep.NextDue.Before(next)) {
				next = ep.NextDue
			}
		}
		if next.IsZero() || !next.After(clock.Now()) {
			time.Sleep(200 * time.Microsecond) // due now: the notifier is on it
			continue
		}
		clock.Advance(next.Sub(clock.Now()))
	}
}

func batch(endpoint string, key []byte, evs ...events.Event) events.Batch {
	return events.Batch{
		Instance: events.Instance{ID: "123", Name: "shop", ElementKey: "woocommercerest", Tags: []string{"t"}},
		Endpoint: events.Endpoint{URL: endpoint, Key: key},
		Source:   events.FromPolling,
		Events:   evs,
	}
}

func publish(t *testing.T, n *notify.Notifier, b events.Batch) {
	t.Helper()
	require.NoError(t, n.Publish(context.Background(), b))
}

func status(code int) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

func verifier(clock clockwork.Clock, key []byte) *signature.Verifier {
	v, err := signature.NewVerifier(signature.VerifierConfig{Keys: []signature.Key{key}, Clock: clock})
	if err != nil {
		panic(err)
	}
	return v
}
