package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
)

// The benchmarks of issue 17's scale goals run benchInstances polling
// instances, each with one resource of three customers polled every
// minute, on a fake clock. The vendor is benchSource, a poller.Source
// stub set through Config.Poller, or (the -http sub-benchmarks) the fake
// WooCommerce store over loopback through the default HTTP source, with
// benchHTTPInstances instances.
const (
	benchInstances     = 10_000
	benchHTTPInstances = 10_000
	benchTenant        = "acme"
	// benchWorkers is engine.Config.Workers' default, and the size of the
	// baselines' worker pool.
	benchWorkers = 16
)

// benchSource answers every request with the same page of three
// WooCommerce customers, copied into a new body as an HTTP client reads
// one.
type benchSource struct {
	body  []byte
	spans [][2]int // each record's bytes in body
}

func newBenchSource() *benchSource {
	s := &benchSource{body: []byte{'['}}
	for id := 1; id <= 3; id++ {
		if id > 1 {
			s.body = append(s.body, ',')
		}
		start := len(s.body)
		s.body = fmt.Appendf(s.body, `{"id":%d,"email":"c%d@example.com","first_name":"C","last_name":"D","username":"c%d",`+
			`"date_created_gmt":"2026-12-01T08:00:00","date_modified_gmt":"2026-12-01T08:00:00","role":"customer"}`, id, id, id)
		s.spans = append(s.spans, [2]int{start, len(s.body)})
	}
	s.body = append(s.body, ']')
	return s
}

// Fetch returns the page of three customers.
func (s *benchSource) Fetch(context.Context, poller.Request) (*poller.Page, error) {
	body := bytes.Clone(s.body)
	recs := make([]json.RawMessage, len(s.spans))
	for i, sp := range s.spans {
		recs[i] = body[sp[0]:sp[1]:sp[1]]
	}
	return &poller.Page{Records: recs, Total: len(recs), TotalPages: 1}, nil
}

// benchStore is the store URL of the instances polled through benchSource.
const benchStore = "https://shop.example.com"

// benchBody returns the body of polling instance id: the customers of the
// WooCommerce store at storeURL every minute.
func benchBody(id, storeURL string) []byte {
	return vendortest.WooPollingBody(vendortest.WooInstance{ID: id, Name: "shop " + id, StoreURL: storeURL,
		Key: wooKey, Secret: wooSecret, CallbackURL: "https://hooks.example.com/cb", SignatureKey: "whsec-engine"})
}

func benchID(i int) string { return fmt.Sprintf("inst-%05d", i) }

// benchLogger is a host's logger: JSON at Info, written nowhere.
func benchLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

// cycleCounter counts poller cycles, and fails the benchmark on a failed
// one.
type cycleCounter struct {
	n      atomic.Int64
	failed atomic.Pointer[error]
}

func (c *cycleCounter) onCycle(r poller.Result) {
	if r.Err != nil {
		c.failed.CompareAndSwap(nil, &r.Err)
	}
	c.n.Add(1)
}

// waitFor waits (in real time) until n cycles are counted.
func (c *cycleCounter) waitFor(b *testing.B, n int64) {
	b.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for c.n.Load() < n {
		if err := c.failed.Load(); err != nil {
			b.Fatalf("a cycle failed: %v", *err)
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d cycles of %d after 2 minutes", c.n.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
	if err := c.failed.Load(); err != nil {
		b.Fatalf("a cycle failed: %v", *err)
	}
}

// benchVendor is what the instances poll: benchSource, or over HTTP the
// fake WooCommerce store with three customers.
type benchVendor struct {
	storeURL string
	// config is the base poller configuration of an instance.
	config poller.Config
}

func newBenchVendor(b *testing.B, clock clockwork.Clock, overHTTP bool) benchVendor {
	b.Helper()
	if !overHTTP {
		return benchVendor{storeURL: benchStore, config: poller.Config{Source: newBenchSource()}}
	}
	woo := vendortest.ServeWooCommerce(b, vendortest.WooConfig{Key: wooKey, Secret: wooSecret, Clock: clock})
	for id := 1; id <= 3; id++ {
		at := t0.Add(-time.Hour)
		woo.PutCustomer(vendortest.Customer{ID: id, Email: fmt.Sprintf("c%d@example.com", id), FirstName: "C", LastName: "D",
			Username: fmt.Sprint("c", id), Created: at, Modified: at})
	}
	return benchVendor{storeURL: woo.URL(), config: poller.Config{Guard: netguard.Guard{AllowPrivate: true}}}
}

// benchEngine is an engine of polling instances on a fake clock, each
// polled once (its baseline taken).
type benchEngine struct {
	clock  *clockwork.FakeClock
	eng    *engine.Engine
	cycles *cycleCounter
	stop   func()
}

// newBenchEngine creates n instances in a new engine, running it first
// when run is set (then each instance takes its baseline before
// newBenchEngine returns).
func newBenchEngine(b *testing.B, n int, run, overHTTP bool) *benchEngine {
	b.Helper()
	be := &benchEngine{clock: clockwork.NewFakeClockAt(t0), cycles: &cycleCounter{}, stop: func() {}}
	vendor := newBenchVendor(b, be.clock, overHTTP)
	cfg := engine.Config{
		Clock:  be.clock,
		Logger: benchLogger(),
		Poller: func(*element.Instance) poller.Config {
			pc := vendor.config
			pc.OnCycle = be.cycles.onCycle
			return pc
		},
	}
	cfg.Notify.Policy.Guard = netguard.Guard{AllowPrivate: true}
	eng, err := engine.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	be.eng = eng
	if run {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- eng.Run(ctx) }()
		be.stop = func() {
			cancel()
			if err := <-done; err != nil {
				b.Error(err)
			}
		}
	}
	ctx := context.Background()
	for i := range n {
		if _, err := eng.Create(ctx, benchTenant, benchBody(benchID(i), vendor.storeURL)); err != nil {
			b.Fatal(err)
		}
	}
	if run {
		be.cycles.waitFor(b, int64(n))
	}
	return be
}

// barePollers are the baseline: the instances as element.Parse and
// poller.New make them, without an engine, sharing one State as the
// engine's do.
type barePollers struct {
	clock   *clockwork.FakeClock
	pollers []*poller.Poller
	cycles  *cycleCounter
}

// newBarePollers makes n pollers and polls each once (its baseline).
func newBarePollers(b *testing.B, n int, overHTTP bool) *barePollers {
	b.Helper()
	bp := &barePollers{clock: clockwork.NewFakeClockAt(t0), cycles: &cycleCounter{}}
	vendor := newBenchVendor(b, bp.clock, overHTTP)
	state := poller.NewMemoryState()
	logger := benchLogger()
	var sink discardSink
	if overHTTP {
		// One transport for all, as the engine's pollers share one: a
		// transport each would hold a connection each (and past a few
		// thousand instances, more files than a process may open).
		vendor.config.Transport = vendor.config.Guard.RoundTripper(nil)
	}
	for i := range n {
		inst, err := element.Parse(benchBody(benchID(i), vendor.storeURL))
		if err != nil {
			b.Fatal(err)
		}
		pc := vendor.config
		pc.Instance, pc.Sink, pc.State, pc.Clock, pc.Logger, pc.OnCycle = inst, sink, state, bp.clock, logger, bp.cycles.onCycle
		p, err := poller.New(pc)
		if err != nil {
			b.Fatal(err)
		}
		bp.pollers = append(bp.pollers, p)
	}
	bp.pollAll()
	bp.cycles.waitFor(b, int64(n))
	return bp
}

// pollAll polls every poller once from a pool of benchWorkers goroutines.
func (bp *barePollers) pollAll() {
	work := make(chan *poller.Poller)
	var wg sync.WaitGroup
	for range benchWorkers {
		wg.Go(func() {
			for p := range work {
				p.Poll(context.Background())
			}
		})
	}
	for _, p := range bp.pollers {
		work <- p
	}
	close(work)
	wg.Wait()
}

// discardSink takes every batch and keeps nothing.
type discardSink struct{}

func (discardSink) Publish(context.Context, events.Batch) error { return nil }

// heapAlloc returns the live heap after a full collection.
func heapAlloc() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkIdleInstances measures the heap that idle polling instances
// keep, each after its baseline: in a running engine (store, schedule,
// parsed instance, poller, state), and as bare pollers (parsed instance,
// poller, state), so that the engine's own share reads off the
// difference. Goal (issue 17): 16 KiB an instance, with benchInstances
// of them. The -http pair polls the fake WooCommerce store over loopback
// with the default HTTP source (benchHTTPInstances instances; the store's
// request log and the connections' server side count too).
func BenchmarkIdleInstances(b *testing.B) {
	for _, c := range []struct {
		name     string
		n        int
		overHTTP bool
	}{
		{"", benchInstances, false},
		{"-http", benchHTTPInstances, true},
	} {
		report := func(b *testing.B, before, after uint64) {
			b.ReportMetric((float64(after)-float64(before))/float64(c.n), "B/instance")
		}
		b.Run("engine"+c.name, func(b *testing.B) {
			for b.Loop() {
				before := heapAlloc()
				be := newBenchEngine(b, c.n, true, c.overHTTP)
				after := heapAlloc()
				runtime.KeepAlive(be.eng)
				be.stop()
				report(b, before, after)
			}
		})
		b.Run("bare-poller"+c.name, func(b *testing.B) {
			for b.Loop() {
				before := heapAlloc()
				bp := newBarePollers(b, c.n, c.overHTTP)
				after := heapAlloc()
				runtime.KeepAlive(bp.pollers)
				report(b, before, after)
			}
		})
	}
}

// BenchmarkSchedulingMinute measures the real time a running engine of
// benchInstances instances polled every minute takes over one minute of
// its fake clock: the clock jumps 66 s (the interval plus its jitter of up
// to 10%), so every instance is due, and the time runs until each has
// ended its cycle. Below 60 s an engine keeps up. The baseline makes the
// same poller.Poll calls from a plain pool of benchWorkers goroutines
// (engine.Config.Workers' default). The -http pair polls the fake
// WooCommerce store over loopback with benchHTTPInstances instances: its
// s/minute is for that many, its cycles/s compares.
func BenchmarkSchedulingMinute(b *testing.B) {
	const minute = 66 * time.Second
	for _, c := range []struct {
		name     string
		n        int
		overHTTP bool
	}{
		{"", benchInstances, false},
		{"-http", benchHTTPInstances, true},
	} {
		report := func(b *testing.B, start time.Time, minutes int) {
			took := time.Since(start).Seconds()
			b.ReportMetric(took/float64(minutes), "s/minute")
			b.ReportMetric(float64(minutes*c.n)/took, "cycles/s")
		}
		b.Run("engine"+c.name, func(b *testing.B) {
			be := newBenchEngine(b, c.n, true, c.overHTTP)
			defer be.stop()
			want := be.cycles.n.Load()
			minutes := 0
			start := time.Now()
			for b.Loop() {
				if minutes == 0 {
					start = time.Now() // b.Loop reset the timer
				}
				want += int64(c.n)
				minutes++
				be.clock.Advance(minute)
				be.cycles.waitFor(b, want)
			}
			report(b, start, minutes)
		})
		b.Run("worker-pool"+c.name, func(b *testing.B) {
			bp := newBarePollers(b, c.n, c.overHTTP)
			want := bp.cycles.n.Load()
			minutes := 0
			start := time.Now()
			for b.Loop() {
				if minutes == 0 {
					start = time.Now()
				}
				want += int64(c.n)
				minutes++
				bp.clock.Advance(minute)
				bp.pollAll()
				bp.cycles.waitFor(b, want)
			}
			report(b, start, minutes)
		})
	}
}

// BenchmarkCreate measures Engine.Create of one polling instance into an
// engine holding benchInstances (not running: the write path, from the
// body to the schedule, without the first poll), against the
// InstanceStore.Create of its record alone.
func BenchmarkCreate(b *testing.B) {
	b.Run("engine", func(b *testing.B) {
		be := newBenchEngine(b, benchInstances, false, false)
		ctx := context.Background()
		i := benchInstances
		for b.Loop() {
			if _, err := be.eng.Create(ctx, benchTenant, benchBody(benchID(i), benchStore)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("store", func(b *testing.B) {
		store := engine.NewMemoryInstanceStore()
		ctx := context.Background()
		now := t0
		rec := func(i int) engine.Record {
			return engine.Record{Tenant: benchTenant, ID: benchID(i), Version: 1, Body: benchBody(benchID(i), benchStore),
				ElementKey: "woocommercerest", VendorType: "polling", Tags: []string{"shop"}, Enabled: true,
				Created: now, Updated: now}
		}
		for i := range benchInstances {
			if err := store.Create(ctx, rec(i)); err != nil {
				b.Fatal(err)
			}
		}
		i := benchInstances
		for b.Loop() {
			if err := store.Create(ctx, rec(i)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
