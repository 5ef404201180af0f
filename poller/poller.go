package poller

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/vendorauth"
)

// Poller polls the resources of one instance and publishes what changed.
type Poller struct {
	cfg       Config
	instance  events.Instance
	endpoint  events.Endpoint
	resources map[string]*resource
	running   atomic.Bool

	// refused holds the error that stopped every resource because the
	// vendor refused the authorisation, until Resume.
	refused atomic.Pointer[error]
	// recovering: a Recovered status is owed once a cycle succeeds.
	recovering atomic.Bool
}

// resource is one polled resource: its plan, and what the poller keeps of
// it between cycles.
type resource struct {
	*plan

	stopped atomic.Bool

	mu    sync.Mutex // one cycle at a time
	state *ResourceState
	// seen holds the ids the last cycle saw; a cycle empties it and
	// reuses its memory. Guarded by mu.
	seen seenSet
}

// New returns a Poller for cfg, with every resource compiled: a cycle
// only runs what New compiled. It fails with [ErrConfig] when the
// instance has no resources, its definition is unknown, or a resource's
// dates or URL cannot be read; the error names the configuration key.
func New(cfg Config) (*Poller, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	inst := cfg.Instance
	ev := inst.Configuration.Events
	p := &Poller{
		cfg:       cfg,
		instance:  events.Instance{ID: inst.ID, Name: inst.Name, ElementKey: inst.Element.Key, Tags: inst.Tags},
		endpoint:  events.Endpoint{URL: ev.CallbackURL},
		resources: make(map[string]*resource, len(ev.Resources)),
	}
	if len(ev.SignatureKey) > 0 {
		p.endpoint.Key = bytes.Clone(ev.SignatureKey)
	}
	for name, rc := range ev.Resources {
		pl, err := compilePlan(name, rc, &cfg)
		if err != nil {
			return nil, err
		}
		p.resources[name] = &resource{plan: pl}
	}
	return p, nil
}

// Resources returns the names of the polled resources, sorted.
func (p *Poller) Resources() []string { return slices.Sorted(maps.Keys(p.resources)) }

// Resume restarts a resource stopped by an authentication error, and the
// whole instance when the vendor refused its authorisation: its next
// cycle asks the vendor again (a refused authorisation is asked again
// only once the token store holds a new one; see vendorauth.OAuth2).
func (p *Poller) Resume(resource string) {
	if r, ok := p.resources[resource]; ok {
		r.stopped.Store(false)
	}
	p.refused.Store(nil)
}

// Poll runs one cycle of every resource that is not stopped, up to
// Parallelism at a time, and returns their results sorted by resource. A
// resource whose cycle failed keeps its state as it was; the error is in
// its Result.
func (p *Poller) Poll(ctx context.Context) []Result {
	return p.each(ctx, p.Resources(), cycleKind{})
}

// each runs a cycle of kind of every named resource that is not stopped,
// up to Parallelism at a time, and returns their results in the order of
// names.
func (p *Poller) each(ctx context.Context, names []string, kind cycleKind) []Result {
	results := make([]Result, len(names))
	if e := p.refused.Load(); e != nil {
		for i, name := range names {
			results[i] = Result{Resource: name, Err: fmt.Errorf("poller: instance %s is stopped until re-authorised: %w", p.instance.ID, *e)}
		}
		return results
	}
	sem := make(chan struct{}, p.cfg.Parallelism)
	var wg sync.WaitGroup
	for i, name := range names {
		r := p.resources[name]
		if r.stopped.Load() {
			results[i] = Result{Resource: name, Err: fmt.Errorf("%w: resource %s is stopped until Resume", ErrUnauthorized, name)}
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			results[i] = Result{Resource: name, Err: ctx.Err()}
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			results[i] = p.traced(ctx, r, kind)
			if p.cfg.OnCycle != nil {
				p.cfg.OnCycle(results[i])
			}
		})
	}
	wg.Wait()
	p.checkAuthorisation(ctx, results)
	return results
}

// traced runs a cycle of r of kind in the context Config.StartCycle
// gives it, if set.
func (p *Poller) traced(ctx context.Context, r *resource, kind cycleKind) Result {
	if p.cfg.StartCycle == nil {
		return p.cycle(ctx, r, kind)
	}
	cctx, end := p.cfg.StartCycle(ctx, r.name)
	res := p.cycle(cctx, r, kind)
	if end != nil {
		end(res)
	}
	return res
}

// Run polls every Interval (±10%) until ctx ends, then returns nil. A
// cycle never overlaps the next: a slow cycle delays it. Only one Run may
// be active at a time.
func (p *Poller) Run(ctx context.Context) error {
	if !p.running.CompareAndSwap(false, true) {
		return fmt.Errorf("poller: Run is already active for instance %q", p.instance.ID)
	}
	defer p.running.Store(false)
	clock := p.cfg.Clock
	for {
		start := clock.Now()
		for _, res := range p.Poll(ctx) {
			if res.Err != nil && ctx.Err() == nil && !errors.Is(res.Err, vendorauth.ErrReauthorize) {
				p.cfg.Logger.Warn("poller: cycle failed", "instance", p.instance.ID, "resource", res.Resource, "err", res.Err)
			}
		}
		wait := jitter(p.cfg.Interval, 0.1) - clock.Since(start)
		t := clock.NewTimer(max(wait, 0))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.Chan():
		}
	}
}

func jitter(d time.Duration, frac float64) time.Duration {
	return time.Duration(float64(d) * (1 + frac*(2*rand.Float64()-1)))
}
