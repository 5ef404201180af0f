package loadtest_test

// A six-hour receiver outage on a fake clock: 10,000 events arrive while
// the callback answers 503; after it recovers each is delivered exactly
// once, in per-object order, and every retry came on schedule.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/signature"
)

const (
	outageEvents     = 10_000
	outageBatches    = 1_000 // published at even intervals over the outage
	outageLength     = 6 * time.Hour
	outageObjects    = 250 // per stream; each object has outageEvents/(streams*objects) events
	outageNotifyKey  = "outage-notification-key"
	outageBatchLimit = 10  // the polling batch size's default
	outageJitter     = 0.2 // DeliveryPolicy.Jitter's default
)

// The streams: every instance and object type is one ordered stream of the
// Notifier.
var (
	outageInstances   = []string{"shop-1", "shop-2"}
	outageObjectTypes = []string{"customers", "orders", "products", "coupons"}
)

var outageT0 = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// outageEvent is what the test knows of an event it publishes.
type outageEvent struct {
	object string // instance/objectType/objectID
	seq    int    // 1 for the CREATED, then 2, 3, ... for its updates
}

// outageAttempt is one request the callback received.
type outageAttempt struct {
	at     time.Time
	status int
}

func TestReceiverOutage(t *testing.T) {
	checkNoLeak(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := clockwork.NewFakeClockAt(outageT0)
	recoverAt := outageT0.Add(outageLength)

	batches, byID := outageWorkload(t)
	perObject := outageEvents / (len(outageInstances) * len(outageObjectTypes) * outageObjects)

	// The consumer: 503 until recoverAt, then a Receiver that checks the
	// order of each object's events as they arrive.
	var (
		mu        sync.Mutex
		attempts  = map[string][]outageAttempt{} // by notification id
		handled   = map[string]int{}             // by event id
		lastSeq   = map[string]int{}             // by object
		orderErrs []string
		unknown   int
	)
	rcv, err := receiver.New(receiver.Config{
		Keys:   []signature.Key{[]byte(outageNotifyKey)},
		Clock:  clock,
		Logger: discard,
		Handle: func(_ context.Context, note events.Notification) error {
			mu.Lock()
			defer mu.Unlock()
			m := note.Message
			for _, e := range m.Events {
				id := events.NewID(m.InstanceID, e.ObjectType, e.ObjectID, e.EventType, e.Date)
				ev, ok := byID[id]
				if !ok {
					unknown++
					continue
				}
				handled[id]++
				if want := lastSeq[ev.object] + 1; ev.seq != want && len(orderErrs) < 10 {
					orderErrs = append(orderErrs, fmt.Sprintf("%s: %s #%d arrived after #%d", ev.object, e.EventType, ev.seq, lastSeq[ev.object]))
				}
				lastSeq[ev.object] = max(lastSeq[ev.object], ev.seq)
			}
			return nil
		},
	})
	require.NoError(t, err)
	consumer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := clock.Now()
		id := r.Header.Get("webhook-id")
		status := http.StatusServiceUnavailable
		if now.Before(recoverAt) {
			http.Error(w, "down for maintenance", status)
		} else {
			sw := &statusWriter{ResponseWriter: w}
			rcv.ServeHTTP(sw, r)
			status = sw.status
		}
		mu.Lock()
		attempts[id] = append(attempts[id], outageAttempt{at: now, status: status})
		mu.Unlock()
	}))
	defer consumer.Close()
	callback := consumer.URL + "/element-events"

	outbox := &idleOutbox{Outbox: notify.NewMemoryOutbox()}
	notifier, err := notify.New(notify.Config{
		Outbox: outbox,
		Clock:  clock,
		Policy: notify.DeliveryPolicy{Guard: netguard.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}},
		Logger: discard,
	})
	require.NoError(t, err)
	defer runNotifier(ctx, t, notifier, cancel, 10*time.Second)()

	// Publish the batches at even intervals over the outage, running the
	// notifier's retries in between, then run until everything is in.
	d := &outageDriver{t: t, clock: clock, outbox: outbox, notifier: notifier, giveUp: time.Now().Add(60 * time.Second)}
	published := map[string]time.Time{} // notification id -> when published
	heads := map[string]bool{}          // notification ids first in their stream
	streams := map[string]bool{}
	for k, b := range batches {
		at := outageT0.Add(time.Duration(k) * outageLength / outageBatches)
		d.runUntil(at)
		b.Endpoint.URL = callback
		for _, note := range events.Notifications(b, outageBatchLimit) {
			published[note.Message.EventID] = clock.Now()
			stream := b.Instance.ID + "/" + note.Message.Events[0].ObjectType
			if !streams[stream] {
				streams[stream], heads[note.Message.EventID] = true, true
			}
		}
		require.NoError(t, notifier.Publish(ctx, b))
	}
	require.True(t, clock.Now().Before(recoverAt), "every event arrived during the outage")
	d.runUntilDone(func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(handled) == outageEvents
	})
	end := clock.Now()
	d.settle()
	st := notifier.Stats()

	mu.Lock()
	defer mu.Unlock()
	require.Zero(t, unknown, "no event the test did not publish")
	require.Empty(t, orderErrs, "each object's events arrive in order")
	require.Len(t, handled, outageEvents)
	for id, n := range handled {
		require.Equal(t, 1, n, "event %s handled exactly once", id)
	}
	for obj, seq := range lastSeq {
		require.Equal(t, perObject, seq, "every event of %s arrived", obj)
	}

	// Every notification: failed attempts only during the outage, one
	// success after it, and the gaps between attempts as the schedule says.
	require.Len(t, attempts, len(published), "every notification was attempted")
	retried, maxAttempts := 0, 0
	for id, as := range attempts {
		pub, ok := published[id]
		require.True(t, ok, "attempted notification %s was published", id)
		require.False(t, as[0].at.Before(pub), "%s attempted before it was published", id)
		if heads[id] {
			require.Equal(t, pub, as[0].at, "%s, first of its stream, attempted at once", id)
		} else {
			require.Len(t, as, 1, "%s, queued behind its stream's first, is attempted once it can be delivered", id)
		}
		for i, a := range as {
			last := i == len(as)-1
			if !last {
				require.Equal(t, http.StatusServiceUnavailable, a.status, "%s attempt %d", id, i+1)
				require.True(t, a.at.Before(recoverAt), "%s failed attempt %d during the outage", id, i+1)
				step := notify.DefaultSchedule[i+1]
				gap := as[i+1].at.Sub(a.at)
				lo := time.Duration(float64(step) * (1 - outageJitter))
				hi := time.Duration(float64(step) * (1 + outageJitter))
				require.True(t, gap >= lo-time.Millisecond && gap <= hi+time.Millisecond,
					"%s: attempt %d came %v after attempt %d; the schedule says %v ±%v%%", id, i+2, gap, i+1, step, outageJitter*100)
				continue
			}
			require.Equal(t, http.StatusOK, a.status, "%s delivered by its last attempt", id)
			require.False(t, a.at.Before(recoverAt), "%s delivered after the recovery", id)
		}
		if len(as) > 1 {
			retried++
		}
		maxAttempts = max(maxAttempts, len(as))
	}
	require.Equal(t, len(streams), retried, "only each stream's first notification was retried")
	require.Zero(t, st.Dead)
	require.EqualValues(t, len(published), st.Delivered)
	t.Logf("outage: %d events in %d notifications published over %v of 503s; the %d notifications first in their streams "+
		"were retried up to %d attempts, the rest waited behind them; all delivered once, in order, by %v after the outage began (%d attempts in all)",
		outageEvents, len(published), outageLength, retried, maxAttempts, end.Sub(outageT0).Round(time.Minute), st.Attempts)
}

// outageWorkload returns the batches to publish, in order, and what each
// event id stands for. Each stream's objects get a CREATED and then
// updates, interleaved at random (with a fixed seed) across batches, so
// that an object's events are spread over the outage and sometimes share
// a notification.
func outageWorkload(t *testing.T) ([]events.Batch, map[string]outageEvent) {
	t.Helper()
	rng := rand.New(rand.NewPCG(8, 6))
	nStreams := len(outageInstances) * len(outageObjectTypes)
	perObject := outageEvents / (nStreams * outageObjects)
	perBatch := outageEvents / outageBatches
	type stream struct {
		instance, objectType string
		next                 []int // next seq per object
		open                 []int // objects with events left
	}
	streams := make([]*stream, 0, nStreams)
	for _, inst := range outageInstances {
		for _, typ := range outageObjectTypes {
			s := &stream{instance: inst, objectType: typ, next: make([]int, outageObjects)}
			for o := range outageObjects {
				s.next[o] = 1
				s.open = append(s.open, o)
			}
			streams = append(streams, s)
		}
	}
	byID := make(map[string]outageEvent, outageEvents)
	batches := make([]events.Batch, 0, outageBatches)
	date := outageT0
	for k := range outageBatches {
		s := streams[k%nStreams]
		b := events.Batch{
			Instance: events.Instance{ID: s.instance, Name: "shop", ElementKey: "woocommercerest"},
			Endpoint: events.Endpoint{Key: []byte(outageNotifyKey)},
			Source:   events.FromPolling,
		}
		for range perBatch {
			j := rng.IntN(len(s.open))
			o := s.open[j]
			seq := s.next[o]
			s.next[o]++
			if s.next[o] > perObject {
				s.open = append(s.open[:j], s.open[j+1:]...)
			}
			typ := events.Updated
			if seq == 1 {
				typ = events.Created
			}
			date = date.Add(time.Second)
			objectID := strconv.Itoa(o + 1)
			e := events.Event{
				ID: events.NewID(s.instance, s.objectType, objectID, typ, date), Type: typ,
				ObjectType: s.objectType, ObjectID: objectID, ElementKey: "woocommercerest", HubKey: "ecommerce",
				Date: date, PollDate: date,
			}
			b.Events = append(b.Events, e)
			byID[e.ID] = outageEvent{object: s.instance + "/" + s.objectType + "/" + objectID, seq: seq}
		}
		batches = append(batches, b)
	}
	require.Len(t, byID, outageEvents)
	return batches, byID
}

// idleOutbox is a memory outbox that counts the deliveries claimed and not
// yet settled (acknowledged, retried, released or dead-lettered), so that
// the test can tell when no attempt is under way and moving the fake
// clock cuts none short.
type idleOutbox struct {
	notify.Outbox
	mu       sync.Mutex
	claiming int    // Claim calls under way
	claimed  int    // claimed, not settled
	moves    uint64 // claims and settlements so far
}

func (o *idleOutbox) Claim(ctx context.Context, endpoint string, now time.Time, lease time.Duration, limit int) ([]notify.Delivery, error) {
	// Busy from before the inner Claim leases anything until the count
	// includes what it leased.
	o.mu.Lock()
	o.claiming++
	o.moves++
	o.mu.Unlock()
	ds, err := o.Outbox.Claim(ctx, endpoint, now, lease, limit)
	o.mu.Lock()
	o.claiming--
	o.mu.Unlock()
	o.moved(len(ds))
	return ds, err
}

func (o *idleOutbox) Ack(ctx context.Context, id string, a notify.Attempt) error {
	return o.settled(o.Outbox.Ack(ctx, id, a))
}

func (o *idleOutbox) Retry(ctx context.Context, id string, a notify.Attempt, next time.Time) error {
	return o.settled(o.Outbox.Retry(ctx, id, a, next))
}

func (o *idleOutbox) Release(ctx context.Context, id string, next time.Time) error {
	return o.settled(o.Outbox.Release(ctx, id, next))
}

func (o *idleOutbox) DeadLetter(ctx context.Context, id string, a notify.Attempt, reason string) error {
	return o.settled(o.Outbox.DeadLetter(ctx, id, a, reason))
}

func (o *idleOutbox) moved(claimed int) {
	o.mu.Lock()
	o.claimed += claimed
	o.moves++
	o.mu.Unlock()
}

func (o *idleOutbox) settled(err error) error {
	if err == nil {
		o.moved(-1)
	}
	return err
}

// state returns the deliveries in flight (or being claimed) and the count
// of moves.
func (o *idleOutbox) state() (claimed int, moves uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.claimed + o.claiming, o.moves
}

// outageDriver moves the fake clock from one due time to the next, and
// only while no attempt is in flight.
type outageDriver struct {
	t        *testing.T
	clock    *clockwork.FakeClock
	outbox   *idleOutbox
	notifier *notify.Notifier
	giveUp   time.Time // real time: a stuck run fails rather than hangs
}

// nextDue returns, once the notifier is idle, when the next delivery is
// due (zero if none is pending); ok is false while it is busy or
// something is due now.
func (d *outageDriver) nextDue() (next time.Time, ok bool) {
	claimed, moves := d.outbox.state()
	if claimed > 0 {
		return time.Time{}, false
	}
	eps, err := d.outbox.Endpoints(context.Background())
	require.NoError(d.t, err)
	if claimed, after := d.outbox.state(); claimed > 0 || after != moves {
		return time.Time{}, false // something moved while we looked
	}
	for _, ep := range eps {
		if !ep.Disabled && !ep.NextDue.IsZero() && (next.IsZero() || ep.NextDue.Before(next)) {
			next = ep.NextDue
		}
	}
	if !next.IsZero() && !next.After(d.clock.Now()) {
		return time.Time{}, false // due now: the notifier is on it
	}
	return next, true
}

func (d *outageDriver) wait() {
	if time.Now().After(d.giveUp) {
		claimed, moves := d.outbox.state()
		eps, _ := d.outbox.Endpoints(context.Background())
		d.t.Fatalf("gave up at fake time %v: %+v; %d deliveries claimed, %d moves; endpoints %+v",
			d.clock.Now().Sub(outageT0), d.notifier.Stats(), claimed, moves, eps)
	}
	time.Sleep(100 * time.Microsecond)
}

// runUntil runs the notifier's attempts due before at, then sets the
// clock to at.
func (d *outageDriver) runUntil(at time.Time) {
	for {
		next, ok := d.nextDue()
		if !ok {
			d.wait()
			continue
		}
		if next.IsZero() || next.After(at) {
			if at.After(d.clock.Now()) {
				d.clock.Advance(at.Sub(d.clock.Now()))
			}
			return
		}
		d.clock.Advance(next.Sub(d.clock.Now()))
	}
}

// settle waits until no attempt is in flight and nothing is pending.
func (d *outageDriver) settle() {
	for {
		if next, ok := d.nextDue(); ok && next.IsZero() {
			return
		}
		d.wait()
	}
}

// runUntilDone runs the notifier's attempts until done reports true.
func (d *outageDriver) runUntilDone(done func() bool) {
	for !done() {
		next, ok := d.nextDue()
		if !ok || next.IsZero() {
			d.wait()
			continue
		}
		d.clock.Advance(next.Sub(d.clock.Now()))
	}
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}
