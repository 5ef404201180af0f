package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
)

const (
	wooKey    = "ck_engine_0123456789abcdef0123456789abcdef"
	wooSecret = "cs_engine_0123456789abcdef0123456789abcdef"
)

// t0 is where the rigs' clocks start.
var t0 = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

// rig is an engine on a fake clock, polling a fake WooCommerce store and
// delivering to a receiver that records what it gets.
type rig struct {
	t     *testing.T
	clock *clockwork.FakeClock
	woo   *vendortest.WooCommerce
	recv  *receiver
	eng   *engine.Engine
	cfg   engine.Config
	stop  func()
}

// newRig returns a rig whose engine is configured by mod, not yet running.
func newRig(t *testing.T, mod func(*engine.Config)) *rig {
	t.Helper()
	clock := clockwork.NewFakeClockAt(t0)
	r := &rig{t: t, clock: clock, recv: newReceiver(t)}
	r.woo = vendortest.ServeWooCommerce(t, vendortest.WooConfig{Key: wooKey, Secret: wooSecret, Clock: clock})
	guard := netguard.Guard{AllowPrivate: true}
	r.cfg = engine.Config{
		Clock:  clock,
		Logger: slog.New(slog.DiscardHandler),
		Poller: func(*element.Instance) poller.Config {
			return poller.Config{Guard: guard, SingleSnapshotDeletes: true}
		},
	}
	r.cfg.Notify.Policy.Guard = guard
	if mod != nil {
		mod(&r.cfg)
	}
	eng, err := engine.New(r.cfg)
	require.NoError(t, err)
	r.eng = eng
	return r
}

// run runs the engine until the test ends, and checks Run returns.
func (r *rig) run() {
	ctx, cancel := context.WithCancel(context.Background())
	running.Add(1)
	done := make(chan error, 1)
	go func() { done <- r.eng.Run(ctx) }()
	var once sync.Once // a test may stop it before its cleanup
	stop := func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(r.t, err)
			if running.Add(-1) == 0 { // the last engine of the test
				requireNoLeak(r.t)
			}
		case <-time.After(10 * time.Second):
			r.t.Fatal("Run did not return after its context ended")
		}
	}
	r.stop = func() { once.Do(stop) }
	r.t.Cleanup(r.stop)
}

// body returns a polling instance body of the rig's store, its customers
// polled every interval minutes, notifying the rig's receiver.
func (r *rig) body(id string, interval int) []byte {
	return vendortest.WooPollingBody(vendortest.WooInstance{ID: id, StoreURL: r.woo.URL(), Key: wooKey, Secret: wooSecret,
		CallbackURL: r.recv.srv.URL + "/cb", SignatureKey: "whsec-engine", RefreshMinutes: interval})
}

// customer adds a customer to the store, created now.
func (r *rig) customer(id int) {
	now := r.clock.Now()
	r.woo.PutCustomer(vendortest.Customer{ID: id, Email: fmt.Sprintf("c%d@example.com", id), FirstName: "C", LastName: "D",
		Username: fmt.Sprint("c", id), Created: now, Modified: now})
}

// until advances the clock a second at a time, giving the engine a moment
// of real time after each step, until cond holds or limit of fake time
// has passed.
func (r *rig) until(limit time.Duration, cond func() bool, msg string, args ...any) {
	r.t.Helper()
	end := r.clock.Now().Add(limit)
	var grace time.Time // past the limit, real time to finish what is in flight
	for !cond() {
		if r.clock.Now().Before(end) {
			r.clock.Advance(time.Second)
		} else if grace.IsZero() {
			grace = time.Now().Add(5 * time.Second)
		} else if time.Now().After(grace) {
			r.t.Fatalf("after %v of fake time: "+msg, append([]any{limit}, args...)...)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// during advances the clock by d a second at a time, as until does.
func (r *rig) during(d time.Duration) {
	r.t.Helper()
	end := r.clock.Now().Add(d)
	for r.clock.Now().Before(end) {
		r.clock.Advance(time.Second)
		time.Sleep(2 * time.Millisecond)
	}
}

// polls counts the store's customer list requests.
func (r *rig) polls() int {
	n := 0
	for _, req := range r.woo.Log().Since(0) {
		if req.Resource == "customers" {
			n++
		}
	}
	return n
}

// receiver records the notifications delivered to it.
type receiver struct {
	srv *httptest.Server

	mu     sync.Mutex
	status int // answered; 0 means 200
	got    []events.Notification
	paths  []string
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if rc.status != 0 {
			w.WriteHeader(rc.status)
			return
		}
		var n events.Notification
		if err := json.Unmarshal(body, &n); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rc.got = append(rc.got, n)
		rc.paths = append(rc.paths, req.URL.Path)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// events returns "TYPE objectType/objectId" of every event received.
func (rc *receiver) events() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, n := range rc.got {
		for _, ev := range n.Message.Events {
			out = append(out, string(ev.EventType)+" "+ev.ObjectType+"/"+ev.ObjectID)
		}
	}
	return out
}

func (rc *receiver) setStatus(code int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.status = code
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

// running counts the engines running in the test.
var running atomic.Int32

// requireNoLeak fails the test if a goroutine of an Engine (or of its
// Notifier) outlives Run. The tests of this package do not run in
// parallel, so any such goroutine is the one that just stopped.
func requireNoLeak(t *testing.T) {
	t.Helper()
	var stacks string
	for range 200 {
		buf := make([]byte, 1<<20)
		stacks = string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "engine.(*Engine)") && !strings.Contains(stacks, "notify.(*Notifier).Run") {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("goroutine leak: the engine's goroutines outlive Run\n%s", stacks)
}
