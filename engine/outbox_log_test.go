package engine

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
)

var logT0 = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// errorSink collects what a logging outbox hands to onError.
type errorSink struct {
	mu   sync.Mutex
	errs []error
}

func (s *errorSink) add(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, err)
}

func (s *errorSink) all() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.errs...)
}

func tenantOf(instance string) string { return "tenant-of-" + instance }

// loggedRig is a Notifier on a fake clock whose outbox is a memory outbox
// logged to log, and a callback receiver answering with handler.
type loggedRig struct {
	n     *notify.Notifier
	clock *clockwork.FakeClock
	log   EventLog
	errs  *errorSink
	url   string
}

func newLoggedRig(t *testing.T, log EventLog, handler http.HandlerFunc) *loggedRig {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	r := &loggedRig{clock: clockwork.NewFakeClockAt(logT0), log: log, errs: &errorSink{}, url: srv.URL + "/hook"}
	n, err := notify.New(notify.Config{
		Outbox: newLoggingOutbox(notify.NewMemoryOutbox(), log, tenantOf, r.errs.add),
		Clock:  r.clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Policy: notify.DeliveryPolicy{
			Guard:    netguard.Guard{AllowPrivate: true}, // the receiver is on loopback
			Schedule: []time.Duration{0, time.Minute},
			Jitter:   -1,
		},
	})
	require.NoError(t, err)
	r.n = n
	return r
}

// run runs the notifier until the returned stop is called (or the test
// ends), and checks that Run returns.
func (r *loggedRig) run(t *testing.T) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.n.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				require.NoError(t, err)
			case <-time.After(5 * time.Second):
				t.Error("Run did not return after its context ended")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func (r *loggedRig) publish(t *testing.T, evs ...events.Event) string {
	t.Helper()
	require.NoError(t, r.n.Publish(t.Context(), events.Batch{
		Instance: events.Instance{ID: "inst-1", Name: "shop", ElementKey: "woocommercerest"},
		Endpoint: events.Endpoint{URL: r.url, Key: []byte("whsec_never_logged")},
		Source:   events.FromPolling,
		Events:   evs,
	}))
	page, err := r.log.List(t.Context(), EventFilter{Tenant: tenantOf("inst-1"), Limit: 1})
	require.NoError(t, err)
	require.Len(t, page, 1, "the notification is logged once stored")
	return page[0].ID
}

// waitFor waits, in real time, for the logged notification id to satisfy
// cond, and returns it.
func (r *loggedRig) waitFor(t *testing.T, id string, what string, cond func(LoggedEvent) bool) LoggedEvent {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		e, err := r.log.Get(t.Context(), tenantOf("inst-1"), id)
		require.NoError(t, err)
		if cond(e) {
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: the log has %s with %d attempts", what, e.Status, len(e.Attempts))
		}
		time.Sleep(time.Millisecond)
	}
}

func status(s EventStatus) func(LoggedEvent) bool {
	return func(e LoggedEvent) bool { return e.Status == s }
}

func contactEvent(id string, typ events.Type) events.Event {
	return events.Event{
		ID: events.NewID("inst-1", "contacts", id, typ, logT0), Type: typ, ObjectType: "contacts", ObjectID: id,
		ElementKey: "woocommercerest", HubKey: "crm", Date: logT0, PollDate: logT0,
	}
}

// A delivered notification is logged NEW when stored, DISPATCHED while
// its attempt is out, and NOTIFIED with the attempt once answered.
func TestLoggingOutboxNewDispatchedNotified(t *testing.T) {
	t.Parallel()
	answer := make(chan struct{})
	arrived := make(chan struct{}, 1)
	r := newLoggedRig(t, NewMemoryEventLog(MemoryEventLogConfig{}), func(w http.ResponseWriter, _ *http.Request) {
		arrived <- struct{}{}
		<-answer
		w.WriteHeader(http.StatusNoContent)
	})
	id := r.publish(t, contactEvent("1", events.Updated), contactEvent("2", events.Created), contactEvent("3", events.Updated))
	e, err := r.log.Get(t.Context(), tenantOf("inst-1"), id)
	require.NoError(t, err)
	require.Equal(t, StatusNew, e.Status)
	require.Equal(t, "inst-1", e.Instance)
	require.Equal(t, "contacts", e.ObjectType)
	require.Equal(t, []string{"CREATED", "UPDATED"}, e.EventTypes, "distinct, sorted")
	require.Equal(t, 3, e.Events)
	require.True(t, logT0.Equal(e.Created))
	require.Contains(t, string(e.Body), `"objectType":"contacts"`)
	require.NotContains(t, string(e.Body), "whsec_never_logged")

	r.run(t)
	<-arrived
	r.waitFor(t, id, "DISPATCHED", status(StatusDispatched))
	close(answer)
	e = r.waitFor(t, id, "NOTIFIED", status(StatusNotified))
	require.Len(t, e.Attempts, 1)
	require.Equal(t, http.StatusNoContent, e.Attempts[0].Status)
	require.Empty(t, e.Reason)
	require.Empty(t, r.errs.all())
}

// A failing receiver's notification is logged FAILED with its attempt,
// then DEAD with both attempts and the reason; a replay logs it NEW.
func TestLoggingOutboxFailedDeadReplayed(t *testing.T) {
	t.Parallel()
	r := newLoggedRig(t, NewMemoryEventLog(MemoryEventLogConfig{}), func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	id := r.publish(t, contactEvent("1", events.Updated))
	stop := r.run(t)
	e := r.waitFor(t, id, "FAILED", status(StatusFailed))
	require.Len(t, e.Attempts, 1)
	require.Equal(t, http.StatusServiceUnavailable, e.Attempts[0].Status)
	require.True(t, logT0.Equal(e.Updated), "the attempt's end, on the fake clock")

	// The retry is a minute later on the schedule: move the clock on
	// until it is made.
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := r.log.Get(t.Context(), tenantOf("inst-1"), id)
		require.NoError(t, err)
		if got.Status == StatusDead {
			e = got
			break
		}
		require.False(t, time.Now().After(deadline), "no DEAD: %s", got.Status)
		r.clock.Advance(10 * time.Second)
		time.Sleep(time.Millisecond)
	}
	require.Len(t, e.Attempts, 2, "both attempts, in order")
	require.True(t, e.Attempts[0].At.Before(e.Attempts[1].At))
	require.NotEmpty(t, e.Reason)
	dead, err := r.log.List(t.Context(), EventFilter{Tenant: tenantOf("inst-1"), Instance: "inst-1", Statuses: []EventStatus{StatusDead}})
	require.NoError(t, err)
	require.Len(t, dead, 1)

	stop() // so that the replayed notification stays NEW
	now := r.clock.Now()
	require.NoError(t, r.n.Replay(t.Context(), id))
	e, err = r.log.Get(t.Context(), tenantOf("inst-1"), id)
	require.NoError(t, err)
	require.Equal(t, StatusNew, e.Status)
	require.True(t, now.Equal(e.Updated))
	require.Len(t, e.Attempts, 2, "attempts are kept")
	require.Empty(t, e.Reason)
	require.Empty(t, r.errs.all())
}

// brokenLog fails every call.
type brokenLog struct{ EventLog }

var errBroken = errors.New("log disk full")

func (brokenLog) Append(context.Context, ...LoggedEvent) error { return errBroken }
func (brokenLog) Update(context.Context, ...EventUpdate) error { return errBroken }

// A log that fails neither fails nor loses a delivery: the errors go to
// onError, and the notification is delivered.
func TestLoggingOutboxLogFailureLosesNothing(t *testing.T) {
	t.Parallel()
	got := make(chan struct{}, 1)
	r := newLoggedRig(t, brokenLog{}, func(w http.ResponseWriter, _ *http.Request) {
		got <- struct{}{}
	})
	require.NoError(t, r.n.Publish(t.Context(), events.Batch{
		Instance: events.Instance{ID: "inst-1"}, Endpoint: events.Endpoint{URL: r.url},
		Events: []events.Event{contactEvent("1", events.Updated)},
	}))
	r.run(t)
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("not delivered")
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(r.errs.all()) < 3 { // enqueue, claim, ack
		require.False(t, time.Now().After(deadline), "errors: %v", r.errs.all())
		time.Sleep(time.Millisecond)
	}
	for _, err := range r.errs.all() {
		require.ErrorIs(t, err, errBroken)
		require.NotContains(t, err.Error(), "whsec")
	}
}
