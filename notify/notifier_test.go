package notify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
)

var key = []byte("callback-signing-key")

func TestNotifierDeliversSignedNotification(t *testing.T) {
	t.Parallel()
	n, clock := setup(t, notify.Config{})
	rc := newReceiver(t, clock, status(http.StatusOK))
	publish(t, n, batch(rc.URL, key, evt("customers", "42", events.Created, `{"id":42}`)))
	drive(t, n, clock, func() bool { return n.Stats().Delivered == 1 })

	got := rc.got()
	require.Len(t, got, 1)
	r := got[0]
	require.Equal(t, "application/json", r.header.Get("Content-Type"))
	require.Contains(t, r.header.Get("User-Agent"), "elementevents/")
	id := r.header.Get("Elements-Webhook-Id")
	require.Equal(t, id, r.header.Get("webhook-id"), "one id in both schemes")
	require.Equal(t, strconv.FormatInt(t0.Unix(), 10), r.header.Get("webhook-timestamp"))

	v := verifier(clock, key)
	require.NoError(t, v.VerifyStandard(r.body, id, r.header.Get("webhook-timestamp"), r.header.Get("webhook-signature")))
	require.NoError(t, v.VerifyHMAC(r.body, r.header.Get("Elements-Webhook-Signature")))

	var note events.Notification
	require.NoError(t, json.Unmarshal(r.body, &note))
	require.Equal(t, id, note.Message.EventID)
	require.Equal(t, "42", note.Message.Events[0].ObjectID)

	pending, err := n.Outbox().List(context.Background(), notify.Filter{})
	require.NoError(t, err)
	require.Empty(t, pending, "a delivered notification leaves the outbox")
}

func TestNotifierUnsignedWithoutKey(t *testing.T) {
	t.Parallel()
	n, clock := setup(t, notify.Config{})
	rc := newReceiver(t, clock, status(http.StatusNoContent))
	publish(t, n, batch(rc.URL, nil, evt("customers", "1", events.Created, "")))
	drive(t, n, clock, func() bool { return n.Stats().Delivered == 1 })
	h := rc.got()[0].header
	require.Empty(t, h.Get("Elements-Webhook-Signature"))
	require.Empty(t, h.Get("webhook-signature"))
	require.NotEmpty(t, h.Get("webhook-id"), "the id is sent for deduplication")
}

func TestNotifierRetriesOnTheSchedule(t *testing.T) {
	t.Parallel()
	n, clock := setup(t, notify.Config{})
	rc := newReceiver(t, clock, func(i int, w http.ResponseWriter, _ *http.Request) {
		if i <= 2 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	publish(t, n, batch(rc.URL, key, evt("customers", "42", events.Created, "")))
	drive(t, n, clock, func() bool { return n.Stats().Delivered == 1 })

	got := rc.got()
	require.Len(t, got, 3)
	within(t, got[1].at.Sub(got[0].at), 5*time.Second)
	within(t, got[2].at.Sub(got[1].at), 5*time.Minute)
	for i, r := range got {
		require.Equal(t, got[0].header.Get("webhook-id"), r.header.Get("webhook-id"), "same id on every attempt")
		require.Equal(t, strconv.FormatInt(r.at.Unix(), 10), r.header.Get("webhook-timestamp"), "fresh timestamp on attempt %d", i)
		v := verifier(clockOf(r.at), key)
		require.NoError(t, v.Verify(r.body, r.header), "attempt %d is signed afresh", i)
	}
	require.Equal(t, notify.Stats{Enqueued: 1, Attempts: 3, Delivered: 1, Retried: 2}, n.Stats())
}

// within checks d is the step ± the default 20% jitter.
func within(t *testing.T, d, step time.Duration) {
	t.Helper()
	lo, hi := time.Duration(float64(step)*0.8), time.Duration(float64(step)*1.2)
	require.True(t, d >= lo && d <= hi, "delay %v not within %v ±20%%", d, step)
}

func TestNotifierRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		retryAfter string
		schedule   []time.Duration
		want       time.Duration // exact: jitter is off
	}{
		{"seconds within bounds", 503, "420", []time.Duration{0, 5 * time.Minute}, 7 * time.Minute},
		{"below the step is raised to it", 503, "60", []time.Duration{0, 5 * time.Minute}, 5 * time.Minute},
		{"above twice the step is cut", 503, "3600", []time.Duration{0, 5 * time.Minute}, 10 * time.Minute},
		{"HTTP date", 503, t0.Add(8 * time.Minute).Format(http.TimeFormat), []time.Duration{0, 5 * time.Minute}, 8 * time.Minute},
		{"429 waits at least a minute", 429, "1", []time.Duration{0, 5 * time.Second}, time.Minute},
		{"429 without Retry-After", 429, "", []time.Duration{0, 5 * time.Second}, time.Minute},
		{"garbage Retry-After is ignored", 503, "soon", []time.Duration{0, 5 * time.Second}, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, clock := setup(t, notify.Config{Policy: notify.DeliveryPolicy{Schedule: tt.schedule, Jitter: -1}})
			rc := newReceiver(t, clock, func(i int, w http.ResponseWriter, _ *http.Request) {
				if i == 1 {
					if tt.retryAfter != "" {
						w.Header().Set("Retry-After", tt.retryAfter)
					}
					w.WriteHeader(tt.status)
					return
				}
				w.WriteHeader(http.StatusOK)
			})
			publish(t, n, batch(rc.URL, key, evt("customers", "1", events.Created, "")))
			drive(t, n, clock, func() bool { return n.Stats().Delivered == 1 })
			got := rc.got()
			require.Len(t, got, 2)
			require.Equal(t, tt.want, got[1].at.Sub(got[0].at))
		})
	}
}

func TestNotifierGoneDisablesEndpoint(t *testing.T) {
	t.Parallel()
	var disabled atomic.Int32
	n, clock := setup(t, notify.Config{OnDisabled: func(string, string) { disabled.Add(1) }})
	var gone atomic.Bool
	gone.Store(true)
	rc := newReceiver(t, clock, func(_ int, w http.ResponseWriter, _ *http.Request) {
		if gone.Load() {
			w.WriteHeader(http.StatusGone)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	publish(t, n, batch(rc.URL, key, evt("customers", "1", events.Created, "")))
	publish(t, n, batch(rc.URL, key, evt("orders", "2", events.Created, "")))
	ctx := context.Background()
	require.Eventually(t, func() bool { return disabled.Load() == 1 }, 5*time.Second, time.Millisecond)

	eps, err := n.Outbox().Endpoints(ctx)
	require.NoError(t, err)
	require.True(t, eps[0].Disabled)
	require.Equal(t, 2, eps[0].Pending, "nothing is dropped")
	clock.Advance(48 * time.Hour)
	time.Sleep(20 * time.Millisecond)
	require.LessOrEqual(t, len(rc.got()), 2, "a disabled endpoint gets no attempts")

	gone.Store(false)
	require.NoError(t, n.Enable(ctx, rc.URL))
	drive(t, n, clock, func() bool { return n.Stats().Delivered == 2 })
}

func TestNotifierNeverFollowsRedirects(t *testing.T) {
	t.Parallel()
	n, clock := setup(t, notify.Config{Policy: notify.DeliveryPolicy{Schedule: []time.Duration{0}}})
	var elsewhere atomic.Int32
	other := newReceiver(t, clock, func(int, http.ResponseWriter, *http.Request) { elsewhere.Add(1) })
	rc := newReceiver(t, clock, func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL, http.StatusMovedPermanently)
	})
	publish(t, n, batch(rc.URL, key, evt("customers", "1", events.Created, "")))
	drive(t, n, clock, func() bool { return n.Stats().Dead == 1 })
	require.Zero(t, elsewhere.Load())
	dead, err := n.Outbox().List(context.Background(), notify.Filter{State: notify.Dead})
	require.NoError(t, err)
	require.Equal(t, http.StatusMovedPermanently, dead[0].Attempts[0].Status)
}

func TestNotifierTimeout(t *testing.T) {
	t.Parallel()
	n, clock := setup(t, notify.Config{Policy: notify.DeliveryPolicy{Timeout: 2 * time.Second, Jitter: -1}})
	release := make(chan struct{})
	rc := newReceiver(t, clock, func(i int, w http.ResponseWriter, r *http.Request) {
		if i == 1 {
			select { // hang past the timeout
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	defer close(release)
	publish(t, n, batch(rc.URL, key, evt("customers", "1", events.Created, "")))
	// Once the request is in the handler, the attempt's timeout runs on the
	// fake clock.
	require.Eventually(t, func() bool { return len(rc.got()) == 1 }, 5*time.Second, time.Millisecond)
	clock.Advance(2 * time.Second)
	drive(t, n, clock, func() bool { return n.Stats().Delivered == 1 })
	got := rc.got()
	require.Len(t, got, 2)
	require.Equal(t, time.Minute, got[1].at.Sub(got[0].at)-2*time.Second, "at least a minute after a timeout")
}

func TestNotifierConnectionClosed(t *testing.T) {
	t.Parallel()
	n, clock := setup(t, notify.Config{})
	rc := newReceiver(t, clock, func(i int, w http.ResponseWriter, _ *http.Request) {
		if i == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	publish(t, n, batch(rc.URL, key, evt("customers", "1", events.Created, "")))
	drive(t, n, clock, func() bool { return n.Stats().Delivered == 1 })
	require.Equal(t, int64(1), n.Stats().Retried)
}

func TestNotifierClientErrorsAreDeadLettered(t *testing.T) {
	t.Parallel()
	n, clock := setup(t, notify.Config{})
	var fixed atomic.Bool
	rc := newReceiver(t, clock, func(_ int, w http.ResponseWriter, _ *http.Request) {
		if fixed.Load() {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte("bad payload: missing field"))
	})
	publish(t, n, batch(rc.URL, key, evt("customers", "1", events.Created, "")))
	drive(t, n, clock, func() bool { return n.Stats().Dead == 1 })
	require.Len(t, rc.got(), 1, "no retry of a 400")

	ctx := context.Background()
	dead, err := n.Outbox().List(ctx, notify.Filter{State: notify.Dead})
	require.NoError(t, err)
	require.Len(t, dead, 1)
	require.Equal(t, "bad payload: missing field", string(dead[0].Attempts[0].Response), "the response is kept")

	fixed.Store(true)
	require.NoError(t, n.Replay(ctx, dead[0].ID))
	drive(t, n, clock, func() bool { return n.Stats().Delivered == 1 })
}

func TestNotifierRetryClientErrors(t *testing.T) {
	t.Parallel()
	n, clock := setup(t, notify.Config{Policy: notify.DeliveryPolicy{RetryClientErrors: true}})
	rc := newReceiver(t, clock, func(i int, w http.ResponseWriter, _ *http.Request) {
		if i == 1 {
			w.WriteHeader(http.StatusUnprocessableEntity)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	publish(t, n, batch(rc.URL, key, evt("customers", "1", events.Created, "")))
	drive(t, n, clock, func() bool { return n.Stats().Delivered == 1 })
}

func TestNotifierExhaustion(t *testing.T) {
	t.Parallel()
	var exhausted []notify.Delivery
	var failing []int
	var attempts []notify.AttemptInfo
	var mu sync.Mutex
	n, clock := setup(t, notify.Config{
		Policy:       notify.DeliveryPolicy{Schedule: []time.Duration{0, time.Second, 2 * time.Second}},
		FailingAfter: 2,
		OnExhausted:  func(d notify.Delivery) { mu.Lock(); exhausted = append(exhausted, d); mu.Unlock() },
		OnFailing:    func(_ string, f int) { mu.Lock(); failing = append(failing, f); mu.Unlock() },
		OnAttempt:    func(a notify.AttemptInfo) { mu.Lock(); attempts = append(attempts, a); mu.Unlock() },
	})
	rc := newReceiver(t, clock, status(http.StatusInternalServerError))
	publish(t, n, batch(rc.URL, key, evt("customers", "1", events.Created, "")))
	// OnAttempt is the last thing an attempt does.
	drive(t, n, clock, func() bool { mu.Lock(); defer mu.Unlock(); return len(attempts) == 3 })

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, rc.got(), 3)
	require.Len(t, exhausted, 1)
	require.Len(t, exhausted[0].Attempts, 3)
	require.Equal(t, []int{2}, failing, "OnFailing fires once, when the endpoint reaches the threshold")
	require.Len(t, attempts, 3)
	require.Equal(t, []notify.Outcome{notify.OutcomeRetry, notify.OutcomeRetry, notify.OutcomeDead},
		[]notify.Outcome{attempts[0].Outcome, attempts[1].Outcome, attempts[2].Outcome})
	require.Equal(t, 500, attempts[2].Status)
}

func TestNotifierEndpointIsolation(t *testing.T) {
	t.Parallel()
	n, clock := setup(t, notify.Config{Concurrency: 2, Policy: notify.DeliveryPolicy{Timeout: time.Hour}})
	release := make(chan struct{})
	slow := newReceiver(t, clock, func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) }) // before the servers close
	fast := newReceiver(t, clock, status(http.StatusOK))
	for i := range 6 {
		b := batch(slow.URL, key, evt("customers", strconv.Itoa(i), events.Created, ""))
		b.Instance.ID = "slow-" + strconv.Itoa(i)
		publish(t, n, b)
	}
	for i := range 6 {
		b := batch(fast.URL, key, evt("customers", "f"+strconv.Itoa(i), events.Created, ""))
		b.Instance.ID = "fast"
		publish(t, n, b)
	}
	require.Eventually(t, func() bool { return len(fast.got()) == 6 }, 5*time.Second, time.Millisecond,
		"the fast endpoint is served while the slow one hangs")
	require.Eventually(t, func() bool { return len(slow.got()) == 2 }, 5*time.Second, time.Millisecond,
		"the slow endpoint's own instances are not ordered behind each other")
	time.Sleep(10 * time.Millisecond)
	require.Len(t, slow.got(), 2, "at most Concurrency attempts in flight per endpoint")
}

func TestNotifierKeepsOrderPerObject(t *testing.T) {
	t.Parallel()
	n, clock := setup(t, notify.Config{})
	var mu sync.Mutex
	var order []string
	failures := 0
	rc := newReceiver(t, clock, func(_ int, w http.ResponseWriter, r *http.Request) {
		var note events.Notification
		_ = json.NewDecoder(r.Body).Decode(&note)
		e := note.Message.Events[0]
		mu.Lock()
		defer mu.Unlock()
		if e.ObjectType == "customers" && e.EventType == events.Created && failures < 2 {
			failures++ // the customer's CREATED fails twice
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		order = append(order, string(e.EventType)+" "+e.ObjectType)
	})
	publish(t, n, batch(rc.URL, key, evt("customers", "42", events.Created, "")))
	publish(t, n, batch(rc.URL, key, evt("customers", "42", events.Updated, "")))
	publish(t, n, batch(rc.URL, key, evt("customers", "42", events.Deleted, "")))
	publish(t, n, batch(rc.URL, key, evt("orders", "7", events.Created, "")))
	drive(t, n, clock, func() bool { return n.Stats().Delivered == 4 })
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []string{"CREATED orders", "CREATED customers", "UPDATED customers", "DELETED customers"}, order,
		"orders is not held up by customers; customers arrive in order")
}

// TestNotifierSSRFGuardByDefault: a loopback callback is refused by
// Publish and never reached. TestNotifierGuardAtAttempt covers one that
// is refused when attempted (and dead-lettered), TestNotifierGuard every
// form of the address.
func TestNotifierSSRFGuardByDefault(t *testing.T) {
	t.Parallel()
	clock := newFake()
	n, err := notify.New(notify.Config{Clock: clock}) // no AllowPrivate
	require.NoError(t, err)
	var hit atomic.Int32
	rc := newReceiver(t, clock, func(int, http.ResponseWriter, *http.Request) { hit.Add(1) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = n.Run(ctx) }()
	err = n.Publish(ctx, batch(rc.URL, key, evt("customers", "1", events.Created, "")))
	require.ErrorIs(t, err, netguard.ErrRefused)
	require.Zero(t, n.Stats().Enqueued)
	require.Zero(t, hit.Load(), "a loopback callback is never reached")
}

func TestNotifierPublishRejectsBadEndpoints(t *testing.T) {
	t.Parallel()
	n, err := notify.New(notify.Config{Clock: newFake(), Policy: notify.DeliveryPolicy{Guard: netguard.Guard{HTTPSOnly: true}}})
	require.NoError(t, err)
	for _, u := range []string{"", "mycoolapp.com/cb", "ftp://x.example/", "http://"} {
		err := n.Publish(context.Background(), batch(u, key, evt("customers", "1", events.Created, "")))
		require.ErrorIs(t, err, notify.ErrInvalidEndpoint, u)
	}
	err = n.Publish(context.Background(), batch("http://x.example/", key, evt("customers", "1", events.Created, "")))
	require.ErrorIs(t, err, netguard.ErrRefused)
	require.Zero(t, n.Stats().Enqueued)
}

// TestNotifierSixHourOutage: the receiver answers 503 for six hours of fake
// time; every notification is then delivered exactly once, in order, with
// attempts on the schedule. It runs in milliseconds.
func TestNotifierSixHourOutage(t *testing.T) {
	t.Parallel()
	var attempts []notify.AttemptInfo
	var mu sync.Mutex
	n, clock := setup(t, notify.Config{OnAttempt: func(a notify.AttemptInfo) { mu.Lock(); attempts = append(attempts, a); mu.Unlock() }})
	outageEnd := t0.Add(6 * time.Hour)
	seen := map[string]int{}
	rc := newReceiver(t, clock, func(_ int, w http.ResponseWriter, r *http.Request) {
		if clock.Now().Before(outageEnd) {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		mu.Lock()
		seen[r.Header.Get("webhook-id")]++
		mu.Unlock()
	})
	const notes = 20
	for i := range notes {
		b := batch(rc.URL, key, evt("customers", strconv.Itoa(i), events.Created, ""))
		b.Instance.ID = "inst-" + strconv.Itoa(i) // each its own order key, so each retries on its own
		publish(t, n, b)
	}
	start := time.Now()
	drive(t, n, clock, func() bool { return n.Stats().Delivered == notes })
	t.Logf("6h outage, %d notifications: %v of real time", notes, time.Since(start))

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, notes)
	for id, c := range seen {
		require.Equal(t, 1, c, "delivered once: %s", id)
	}
	// Per delivery, the gaps between attempts follow the schedule.
	byID := map[string][]time.Time{}
	for _, a := range attempts {
		byID[a.DeliveryID] = append(byID[a.DeliveryID], a.At)
	}
	for id, times := range byID {
		require.Len(t, times, 6, "0, 5s, 5m, 30m, 2h fail inside six hours; the 5h one succeeds: %s", id)
		for k := 1; k < len(times); k++ {
			within(t, times[k].Sub(times[k-1]), notify.DefaultSchedule[k])
		}
	}
}

func TestRunStopsCleanly(t *testing.T) {
	t.Parallel()
	before := runtimeGoroutines()
	clock := newFake()
	n, err := notify.New(notify.Config{Clock: clock, Policy: notify.DeliveryPolicy{Guard: netguard.Guard{AllowPrivate: true}}})
	require.NoError(t, err)
	inHandler := make(chan struct{})
	rc := newReceiver(t, clock, func(i int, w http.ResponseWriter, _ *http.Request) {
		if i == 1 {
			close(inHandler)
			time.Sleep(50 * time.Millisecond) // still in flight when Run's context ends
		}
		w.WriteHeader(http.StatusOK)
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	publish(t, n, batch(rc.URL, key, evt("customers", "1", events.Created, "")))
	<-inHandler
	cancel()
	require.NoError(t, <-done)
	require.Equal(t, int64(1), n.Stats().Delivered, "Run waits for the attempt in flight")

	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() { done <- n.Run(ctx2) }()
	publish(t, n, batch(rc.URL, key, evt("customers", "2", events.Created, "")))
	require.Eventually(t, func() bool { return n.Stats().Delivered == 2 }, 5*time.Second, time.Millisecond, "a second Run delivers what was left")
	require.ErrorIs(t, n.Run(ctx2), notify.ErrRunning)
	cancel2()
	require.NoError(t, <-done)

	rc.Close()
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	requireNoLeak(t, before)
}
