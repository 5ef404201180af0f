package poller_test

// What the end-to-end tests of WooCommerce and Concur share: the fake
// clock and a driver that advances it through every wait of a poll, and
// the checks of the events published.

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/poller"
)

// e2eT0 is when every end-to-end test starts, on the fake clock.
var e2eT0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// e2eRefresh is the instance's event.poller.refresh_interval.
const e2eRefresh = 15 * time.Minute

// e2eClock is the fake clock the poller and its default HTTPSource run on.
// It reports every timer started with NewTimer (the source's retry and
// Retry-After waits) once the timer is registered, so that the test can
// advance the clock exactly when, and exactly as far as, the poller waits.
// The source's per-attempt timeout uses AfterFunc and is not reported.
type e2eClock struct {
	*clockwork.FakeClock
	waits chan time.Duration
}

func newE2EClock() *e2eClock {
	return &e2eClock{FakeClock: clockwork.NewFakeClockAt(e2eT0), waits: make(chan time.Duration, 64)}
}

func (c *e2eClock) NewTimer(d time.Duration) clockwork.Timer {
	tm := c.FakeClock.NewTimer(d)
	c.waits <- d
	return tm
}

// drive runs p.Poll in another goroutine and, from the test goroutine,
// advances the clock through every wait the poll starts. It returns the
// results and the waits in the order they were started.
func (c *e2eClock) drive(t *testing.T, p *poller.Poller) ([]poller.Result, []time.Duration) {
	t.Helper()
	return c.driveFunc(t, p.Poll)
}

// driveFunc is drive for any call that polls, such as Poller.Resync.
func (c *e2eClock) driveFunc(t *testing.T, poll func(context.Context) []poller.Result) ([]poller.Result, []time.Duration) {
	t.Helper()
	done := make(chan []poller.Result, 1)
	go func() { done <- poll(t.Context()) }()
	var waits []time.Duration
	hung := time.NewTimer(30 * time.Second) // real time: a stuck poll fails rather than hangs
	defer hung.Stop()
	for {
		select {
		case res := <-done:
			require.Empty(t, c.waits, "a wait was started after Poll returned")
			return res, waits
		case d := <-c.waits:
			waits = append(waits, d)
			c.Advance(d)
		case <-hung.C:
			t.Fatalf("Poll did not return (waits so far: %v)", waits)
		}
	}
}

// e2eSummary returns "TYPE id" for every event of bs, sorted.
func e2eSummary(bs []events.Batch) []string {
	var out []string
	for _, b := range bs {
		for _, e := range b.Events {
			out = append(out, string(e.Type)+" "+e.ObjectID)
		}
	}
	slices.Sort(out)
	return out
}

// e2eWant is a helper for expected summaries: e2eWant("CREATED", "4", "5").
func e2eWant(typ events.Type, ids ...string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(typ) + " " + id
	}
	return out
}

func e2eJoin(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	slices.Sort(out)
	return out
}

// e2eExpect is what a published event must carry, beyond its type and id.
type e2eExpect struct {
	instanceID, instanceName, elementKey, hubKey, callback string
	signatureKey                                           string
	tags                                                   []string
	// record returns the vendor's current JSON of an object and its date
	// (updated, else created); ok is false when the vendor no longer has it.
	record func(objectType, id string) (raw []byte, date time.Time, ok bool)
}

// e2eCheckBatches checks every field of every event of bs. pollDate is the
// vendor's Date header of the cycle's first page.
func e2eCheckBatches(t *testing.T, x e2eExpect, bs []events.Batch, pollDate time.Time) {
	t.Helper()
	for _, b := range bs {
		require.Equal(t, x.instanceID, b.Instance.ID)
		require.Equal(t, x.instanceName, b.Instance.Name)
		require.Equal(t, x.elementKey, b.Instance.ElementKey)
		require.Equal(t, x.tags, b.Instance.Tags)
		require.Equal(t, x.callback, b.Endpoint.URL)
		require.Equal(t, x.signatureKey, string(b.Endpoint.Key))
		require.Equal(t, events.FromPolling, b.Source)
		require.NotEmpty(t, b.Events)
		for _, e := range b.Events {
			require.Equal(t, x.elementKey, e.ElementKey, "event %s %s", e.Type, e.ObjectID)
			require.Equal(t, x.hubKey, e.HubKey, "event %s %s", e.Type, e.ObjectID)
			require.WithinDuration(t, pollDate, e.PollDate, 0, "PollDate is the vendor's Date of %s %s", e.Type, e.ObjectID)
			raw, date, exists := x.record(e.ObjectType, e.ObjectID)
			switch e.Type {
			case events.Created, events.Updated:
				require.True(t, exists, "%s %s: the vendor has no such record", e.Type, e.ObjectID)
				require.Equal(t, string(raw), string(e.Raw), "Raw is the record as the vendor served it")
				require.WithinDuration(t, date, e.Date, 0, "Date of %s %s is the record's date", e.Type, e.ObjectID)
			case events.Deleted:
				require.False(t, exists, "DELETED %s, but the vendor still has it", e.ObjectID)
				require.Empty(t, e.Raw)
				require.WithinDuration(t, pollDate, e.Date, 0, "Date of DELETED %s is the poll's", e.ObjectID)
			default:
				t.Fatalf("unexpected event type %q", e.Type)
			}
			require.Equal(t, events.NewID(x.instanceID, e.ObjectType, e.ObjectID, e.Type, e.Date), e.ID)
		}
	}
}

// e2eDiscard is the poller's logger: the failures the tests provoke are
// asserted on the results, not read from logs.
var e2eDiscard = slog.New(slog.DiscardHandler)
