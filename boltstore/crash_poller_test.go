package boltstore_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/boltstore"
	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
)

// The Poller on the bolt state, killed mid-cycle.

// crashVendor is vendortest's WooCommerce store, whose customers change
// between the poller's cycles, on a clock of its own: each cycle's first
// page request moves it a minute on and applies the next changes, all
// dated then.
//
// A record is only changed again once the event for its current version
// has been seen, so a correct poller can report every version: a version
// that no event reported is lost, not overwritten.
type crashVendor struct {
	woo   *vendortest.WooCommerce
	now   atomic.Int64 // the vendor's time, in Unix nanoseconds
	pages atomic.Int64

	mu       sync.Mutex
	rng      *rand.Rand
	frozen   bool // the final run: no more changes
	nextID   int
	records  map[int]*crashRecord
	versions map[string]bool // every version made, as "TYPE id unix"
	reported map[string]bool // versions the child has reported
}

type crashRecord struct {
	id                int
	created, modified time.Time
	rev               int
}

func (r *crashRecord) version() string {
	typ := events.Updated
	if r.created.Equal(r.modified) {
		typ = events.Created
	}
	return fmt.Sprintf("%s %d %d", typ, r.id, r.modified.Unix())
}

// crashClock is the vendor's clock: its own time, which moves a minute a
// cycle, and the real clock's waits, for the slow pages.
type crashClock struct {
	clockwork.Clock
	v *crashVendor
}

func (c crashClock) Now() time.Time { return time.Unix(0, c.v.now.Load()).UTC() }

func newCrashVendor(t *testing.T) *crashVendor {
	v := &crashVendor{
		rng:    rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11)),
		nextID: 1, records: map[int]*crashRecord{}, versions: map[string]bool{}, reported: map[string]bool{},
	}
	v.now.Store(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC).UnixNano())
	v.woo = vendortest.ServeWooCommerce(t, vendortest.WooConfig{
		Key: "ck_crash", Secret: "cs_crash", Clock: crashClock{clockwork.NewRealClock(), v},
		OnRequest: func(r vendortest.LoggedRequest) {
			if r.Page == 1 {
				v.mu.Lock()
				v.step()
				v.mu.Unlock()
			}
			v.pages.Add(1)
		},
	})
	// A vendor takes its time: kills land mid-cycle.
	v.woo.Inject(vendortest.Fault{Delay: 3 * time.Millisecond, Times: -1})
	for range 20 {
		v.create()
	}
	return v
}

// put writes r to the store. v.mu is held.
func (v *crashVendor) put(r *crashRecord) {
	v.woo.PutCustomer(vendortest.Customer{ID: r.id, Email: fmt.Sprintf("c%d.r%d@example.com", r.id, r.rev),
		Created: r.created, Modified: r.modified})
	v.versions[r.version()] = true
}

func (v *crashVendor) create() {
	now := time.Unix(0, v.now.Load()).UTC()
	r := &crashRecord{id: v.nextID, created: now, modified: now}
	v.nextID++
	v.records[r.id] = r
	v.put(r)
}

// step is a new cycle: the clock moves, two customers join (up to 150)
// and up to three whose current version was reported change.
func (v *crashVendor) step() {
	now := time.Unix(0, v.now.Add(int64(time.Minute))).UTC()
	if v.frozen {
		return
	}
	for range 2 {
		if len(v.records) < 150 {
			v.create()
		}
	}
	var done []*crashRecord
	for _, r := range v.records {
		if v.reported[r.version()] {
			done = append(done, r)
		}
	}
	slices.SortFunc(done, func(a, b *crashRecord) int { return a.id - b.id })
	for range min(3, len(done)) {
		i := v.rng.IntN(len(done))
		r := done[i]
		done = slices.Delete(done, i, i+1)
		r.modified, r.rev = now, r.rev+1
		v.put(r)
	}
}

// TestCrashPollerLosesNothing runs a child that polls the crashVendor
// with a poller.Poller on the bolt state, printing every event its sink
// receives (one write per line) and, after every Commit of the state that
// succeeded, a COMMIT line. The child is killed crashRuns times: at a
// random moment, or once the vendor has served it a random number of
// pages, which is mid-cycle; each restart opens the same file. A last run,
// with the vendor frozen, polls until a cycle reports nothing.
//
// Over the lines of all runs in order, an event is unacknowledged from
// when it is printed until the next COMMIT line, and acknowledged after.
// Checked: every version the vendor made was reported; no event was
// reported twice by one run; and an event reported again was never
// acknowledged, that is, repeats come only from the batch of the cycle
// that a kill cut between its sink and its commit (and that the next
// cycle redoes). A kill between a commit and its COMMIT line only makes
// the check stricter than the truth.
func TestCrashPollerLosesNothing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	vendor := newCrashVendor(t)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 13))
	var (
		acked   = map[string]bool{}
		pending = map[string]bool{}
		repeats int
		commits int
	)
	for run := 0; run <= crashRuns; run++ {
		final := run == crashRuns
		if final {
			vendor.mu.Lock()
			vendor.frozen = true
			vendor.mu.Unlock()
		}
		// The vendor learns what was reported as the lines come in, so
		// it only changes a record whose current version is out.
		c := startChild(t, "poller", envStore+"="+path, envTarget+"="+vendor.woo.URL(),
			envRun+"="+strconv.Itoa(run), envFinal+"="+strconv.FormatBool(final))
		c.waitReady(t)
		stop := make(chan struct{})
		watched := make(chan struct{})
		go func() {
			defer close(watched)
			seen := 0
			for {
				c.mu.Lock()
				fresh := slices.Clone(c.lines[seen:])
				seen = len(c.lines)
				c.mu.Unlock()
				vendor.mu.Lock()
				for _, l := range fresh {
					if v, ok := strings.CutPrefix(l, "EVENT "); ok {
						vendor.reported[v] = true
					}
				}
				vendor.mu.Unlock()
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
				}
			}
		}()
		var lines []string
		if final {
			lines = c.finish(t, 30*time.Second)
		} else {
			base, after := vendor.pages.Load(), int64(1+rng.IntN(40))
			wait := time.Duration(50+rng.IntN(300)) * time.Millisecond
			if run%2 == 0 {
				after = 1 << 40
			}
			lines = c.killWhen(t, wait, func() bool { return vendor.pages.Load()-base >= after })
		}
		close(stop)
		<-watched

		inRun := map[string]bool{}
		for _, l := range lines {
			if l == "COMMIT" {
				commits++
				for v := range pending {
					acked[v] = true
				}
				clear(pending)
				continue
			}
			v, ok := strings.CutPrefix(l, "EVENT ")
			if !ok {
				continue
			}
			require.False(t, inRun[v], "run %d reported %s twice", run, v)
			inRun[v] = true
			require.False(t, acked[v], "run %d reported %s again after a COMMIT acknowledged it", run, v)
			if pending[v] {
				repeats++
			}
			pending[v] = true
		}
	}

	vendor.mu.Lock()
	defer vendor.mu.Unlock()
	for v := range vendor.versions {
		require.True(t, acked[v] || pending[v], "version %s was never reported", v)
	}
	require.Empty(t, pending, "the final run acknowledged everything it reported")
	t.Logf("%d kills, %d versions made, %d commits, %d events repeated from unacknowledged batches",
		crashRuns, len(vendor.versions), commits, repeats)
}

// printingState reports every Commit that succeeded with a COMMIT line.
type printingState struct{ poller.State }

func (s printingState) Commit(ctx context.Context, key poller.StateKey, c poller.Change) error {
	if err := s.State.Commit(ctx, key, c); err != nil {
		return err
	}
	fmt.Println("COMMIT")
	return nil
}

// pollerChild is the child of TestCrashPollerLosesNothing.
func pollerChild() int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "poller child:", err)
		return 1
	}
	db, err := boltstore.Open(os.Getenv(envStore), boltstore.Options{Timeout: 10 * time.Second})
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	inst, err := element.Parse([]byte(`{"id": "crash", "name": "crash shop", "element": {"key": "woocommercerest"},
	  "configuration": {
	    "store.url": "` + os.Getenv(envTarget) + `", "oauth.api.key": "ck_crash", "oauth.api.secret": "cs_crash",
	    "event.notification.enabled": "true", "event.vendor.type": "polling",
	    "event.notification.callback.url": "https://app.example.com/cb",
	    "event.poller.configuration": {"customers": {
	      "url": "/hubs/ecommerce/customers?orderby=id&order=asc", "idField": "id", "pageSize": 10,
	      "datesConfiguration": {
	        "updatedDateField": "date_modified_gmt", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "updatedDateTimezone": "GMT",
	        "createdDateField": "date_created_gmt", "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "createdDateTimezone": "GMT"}}}}}`))
	if err != nil {
		return fail(err)
	}
	target, err := url.Parse(os.Getenv(envTarget))
	if err != nil {
		return fail(err)
	}
	store, err := netip.ParseAddrPort(target.Host) // the parent's fake store, on loopback
	if err != nil {
		return fail(err)
	}
	p, err := poller.New(poller.Config{
		Instance: inst,
		Guard:    netguard.Guard{AllowAddrPorts: []netip.AddrPort{store}},
		State:    printingState{db.PollerState()},
		Sink: events.SinkFunc(func(_ context.Context, b events.Batch) error {
			for _, e := range b.Events {
				fmt.Printf("EVENT %s %s %d\n", e.Type, e.ObjectID, e.Date.Unix())
			}
			// A sink that takes its time, as a Notifier storing the
			// batch does: kills land between the sink and the commit.
			time.Sleep(10 * time.Millisecond)
			return nil
		}),
		FirstRun: poller.EmitAll,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return fail(err)
	}
	fmt.Println("READY")
	final := os.Getenv(envFinal) == "true"
	for cycle := 0; ; cycle++ {
		res := p.Poll(context.Background())
		if len(res) != 1 {
			return fail(fmt.Errorf("%d results", len(res)))
		}
		if res[0].Err != nil {
			return fail(res[0].Err)
		}
		n := 0
		for _, c := range res[0].Events {
			n += c
		}
		if final && cycle > 0 && n == 0 {
			return 0
		}
	}
}
