package boltstore_test

// Crash tests: the test binary runs itself as a child process (TestMain
// picks the child's part from an environment variable), the child works
// on a store file on disk, and the parent kills it with SIGKILL at random
// points, restarts it on the same file, and at the end checks what
// reached the other side.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
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
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
)

// The child's environment.
const (
	envChild  = "BOLTSTORE_CRASH_CHILD" // "notifier" or "poller"
	envStore  = "BOLTSTORE_CRASH_STORE"
	envTarget = "BOLTSTORE_CRASH_TARGET"
	envRun    = "BOLTSTORE_CRASH_RUN"
	envFinal  = "BOLTSTORE_CRASH_FINAL"
)

// crashRuns is how many times each crash test kills its child; one more
// run then finishes the work cleanly.
const crashRuns = 22

// crashConcurrency is the Notifier's in-flight limit per endpoint in the
// notifier child: each kill can cost at most this many duplicates.
const crashConcurrency = 4

func TestMain(m *testing.M) {
	switch os.Getenv(envChild) {
	case "notifier":
		os.Exit(notifierChild())
	case "poller":
		os.Exit(pollerChild())
	}
	os.Exit(m.Run())
}

// child is a running child process and what it printed.
type child struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	ready  chan struct{}
	done   chan struct{} // stdout reached EOF

	mu    sync.Mutex
	lines []string
}

func startChild(t *testing.T, mode string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, envChild+"="+mode)...)
	c := &child{cmd: cmd, ready: make(chan struct{}), done: make(chan struct{})}
	cmd.Stderr = &c.stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() { // a line cut by the kill has no newline and is dropped
			line := sc.Text()
			if line == "READY" {
				close(c.ready)
				continue
			}
			c.mu.Lock()
			c.lines = append(c.lines, line)
			c.mu.Unlock()
		}
	}()
	return c
}

// waitReady waits for the child's READY line.
func (c *child) waitReady(t *testing.T) {
	t.Helper()
	select {
	case <-c.ready:
	case <-c.done:
		_ = c.cmd.Wait()
		t.Fatalf("child exited before it was ready: %s", c.stderr.String())
	case <-time.After(20 * time.Second):
		_ = c.cmd.Process.Kill()
		t.Fatalf("child not ready after 20 s: %s", c.stderr.String())
	}
}

// kill sends SIGKILL and returns every complete line the child printed.
func (c *child) kill(t *testing.T) []string {
	t.Helper()
	require.NoError(t, c.cmd.Process.Kill())
	<-c.done
	_ = c.cmd.Wait()
	return c.lines
}

// finish waits for the child to exit by itself, successfully.
func (c *child) finish(t *testing.T, timeout time.Duration) []string {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(timeout):
		_ = c.cmd.Process.Kill()
		<-c.done
		t.Fatalf("final child did not finish within %v: %s", timeout, c.stderr.String())
	}
	require.NoError(t, c.cmd.Wait(), "final child: %s", c.stderr.String())
	return c.lines
}

// killWhen kills the child once cond holds or after wait, whichever comes
// first, and returns its lines.
func (c *child) killWhen(t *testing.T, wait time.Duration, cond func() bool) []string {
	t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) && !cond() {
		select {
		case <-c.done:
			t.Fatalf("child exited on its own: %s", c.stderr.String())
		case <-time.After(time.Millisecond):
		}
	}
	return c.kill(t)
}

// ---------------------------------------------------------------------------
// The Notifier on the bolt outbox, killed while delivering.

// TestCrashNotifierLosesNothing runs a child that publishes notifications
// to a notify.Notifier on the bolt outbox, printing each notification id
// once Publish has returned (from then on it must not be lost), while the
// Notifier delivers to this process's receiver, which takes 10 to 40 ms a
// request. The child is killed crashRuns times, at a random moment or
// once the receiver has taken a random number of its requests, so that
// deliveries are in flight; each restart opens the same file. A last run
// publishes a little more and waits until the outbox is empty.
//
// Checked: every notification whose id the child printed reached the
// receiver at least once; none was dead-lettered; and the receiver saw at
// most crashConcurrency x kills more requests than distinct ids: a kill
// can only cause the redelivery of what was in flight, which the
// Notifier's per-endpoint limit bounds.
func TestCrashNotifierLosesNothing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "outbox.db")

	var (
		mu       sync.Mutex
		received = map[string]int{}
		requests atomic.Int64
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return // the child died mid-request: it never sent the whole body
		}
		var n events.Notification
		if err := json.Unmarshal(body, &n); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		received[n.Message.EventID]++
		mu.Unlock()
		requests.Add(1)
		time.Sleep(time.Duration(10+rand.IntN(30)) * time.Millisecond) // slow, so kills find requests in flight
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	var accepted []string
	for run := 0; run <= crashRuns; run++ {
		final := run == crashRuns
		c := startChild(t, "notifier", envStore+"="+path, envTarget+"="+srv.URL+"/hook",
			envRun+"="+strconv.Itoa(run), envFinal+"="+strconv.FormatBool(final))
		c.waitReady(t)
		var lines []string
		if final {
			lines = c.finish(t, 30*time.Second)
		} else {
			base, after := requests.Load(), int64(1+rng.IntN(25))
			wait := time.Duration(50+rng.IntN(300)) * time.Millisecond
			if run%2 == 0 { // half the runs die at a random moment only
				after = 1 << 40
			}
			lines = c.killWhen(t, wait, func() bool { return requests.Load()-base >= after })
		}
		for _, l := range lines {
			if id, ok := strings.CutPrefix(l, "ACCEPTED "); ok {
				accepted = append(accepted, id)
			}
		}
	}

	mu.Lock()
	defer mu.Unlock()
	require.Greater(t, len(accepted), 2*crashRuns, "the child accepted too little for the test to mean anything")
	for _, id := range accepted {
		require.Positive(t, received[id], "notification %s was accepted but never delivered", id)
	}
	total := 0
	for _, n := range received {
		total += n
	}
	dups := total - len(received)
	t.Logf("%d kills, %d notifications accepted, %d requests for %d distinct ids: %d duplicates (bound %d)",
		crashRuns, len(accepted), total, len(received), dups, crashConcurrency*crashRuns)
	require.LessOrEqual(t, dups, crashConcurrency*crashRuns, "duplicates beyond the in-flight window")
}

// notifierChild is the child of TestCrashNotifierLosesNothing.
func notifierChild() int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "notifier child:", err)
		return 1
	}
	db, err := boltstore.Open(os.Getenv(envStore), boltstore.Options{Timeout: 10 * time.Second})
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	n, err := notify.New(notify.Config{
		Outbox: db.Outbox(),
		Policy: notify.DeliveryPolicy{
			Guard:    netguard.Guard{AllowPrivate: true},
			Timeout:  5 * time.Second,
			Schedule: []time.Duration{0, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, time.Second},
			Jitter:   -1,
		},
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Concurrency: crashConcurrency,
	})
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- n.Run(ctx) }()
	fmt.Println("READY")

	run, final := os.Getenv(envRun), os.Getenv(envFinal) == "true"
	target := os.Getenv(envTarget)
	batches := 40
	if final {
		batches = 5
	}
	for i := range batches {
		b := events.Batch{
			// Six instances: six OrderKeys, so that several deliveries
			// are in flight at once.
			Instance: events.Instance{ID: fmt.Sprintf("inst-%d", i%6), ElementKey: "woocommercerest"},
			Endpoint: events.Endpoint{URL: target, Key: []byte("whsec_crash")},
			Source:   events.FromWebhook,
		}
		for j := range 1 + i%3 {
			id := fmt.Sprintf("run%s-%d-%d", run, i, j)
			date := time.Date(2026, 3, 14, 15, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
			b.Events = append(b.Events, events.Event{
				ID:   events.NewID(b.Instance.ID, "customers", id, events.Created, date),
				Type: events.Created, ObjectType: "customers", ObjectID: id, Date: date,
			})
		}
		if err := n.Publish(ctx, b); err != nil {
			return fail(err)
		}
		// Accepted: from here on, losing them is a bug.
		for _, note := range events.Notifications(b, events.DefaultWebhookBatchSize) {
			fmt.Println("ACCEPTED " + note.Message.EventID)
		}
		time.Sleep(8 * time.Millisecond)
	}
	if !final {
		select {} // until killed
	}
	for {
		eps, err := db.Outbox().Endpoints(ctx)
		if err != nil {
			return fail(err)
		}
		if len(eps) == 0 {
			break
		}
		if eps[0].Dead > 0 {
			return fail(fmt.Errorf("%d notifications dead-lettered", eps[0].Dead))
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-ran; err != nil {
		return fail(err)
	}
	return 0
}

// ---------------------------------------------------------------------------
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
		OnRequest: func(r vendortest.Request) {
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

func (s printingState) Commit(ctx context.Context, key poller.Key, c poller.Change) error {
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
