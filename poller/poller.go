package poller

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/internal/vocab"
)

// Poller polls the resources of one instance and publishes what changed.
type Poller struct {
	cfg       Config
	instance  events.Instance
	endpoint  events.Endpoint
	resources map[string]*resource
	running   atomic.Bool
}

// New returns a Poller for cfg. It fails with [ErrConfig] when the
// instance has no resources, its definition is unknown, or a resource's
// dates cannot be read.
func New(cfg Config) (*Poller, error) {
	if cfg.Instance == nil {
		return nil, fmt.Errorf("%w: Config.Instance is required", ErrConfig)
	}
	if cfg.Sink == nil {
		return nil, fmt.Errorf("%w: Config.Sink is required", ErrConfig)
	}
	inst := cfg.Instance
	if cfg.Definition == nil {
		def, ok := element.Default().Lookup(inst.Element.Key)
		if !ok {
			return nil, fmt.Errorf("%w: no element definition for %q", ErrConfig, inst.Element.Key)
		}
		cfg.Definition = def
	}
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.State == nil {
		cfg.State = NewMemoryState()
	}
	ev := inst.Configuration.Events
	if cfg.Interval <= 0 {
		cfg.Interval = cmp.Or(ev.RefreshInterval, DefaultRefreshInterval)
	}
	if cfg.Lookback == 0 {
		cfg.Lookback = DefaultLookback
	}
	if cfg.Parallelism <= 0 {
		cfg.Parallelism = DefaultParallelism
	}
	if cfg.SnapshotEvery == 0 {
		cfg.SnapshotEvery = DefaultSnapshotEvery
	}
	if len(ev.Resources) == 0 {
		return nil, fmt.Errorf("%w: instance %q has no resources to poll (%s)", ErrConfig, inst.ID, vocab.KeyPollerConfiguration)
	}
	if cfg.Source == nil {
		src, err := NewHTTPSource(HTTPConfig{Instance: inst, Definition: cfg.Definition, Guard: cfg.Guard, Clock: cfg.Clock,
			OnAuthError: cfg.OnAuthError})
		if err != nil {
			return nil, err
		}
		cfg.Source = src
	}
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
		r, err := newResource(name, rc)
		if err != nil {
			return nil, err
		}
		p.resources[name] = r
	}
	return p, nil
}

// Resources returns the names of the polled resources, sorted.
func (p *Poller) Resources() []string { return slices.Sorted(maps.Keys(p.resources)) }

// Resume restarts a resource stopped by an authentication error.
func (p *Poller) Resume(resource string) {
	if r, ok := p.resources[resource]; ok {
		r.stopped.Store(false)
	}
}

// Poll runs one cycle of every resource that is not stopped, up to
// Parallelism at a time, and returns their results sorted by resource. A
// resource whose cycle failed keeps its state as it was; the error is in
// its Result.
func (p *Poller) Poll(ctx context.Context) []Result {
	names := p.Resources()
	results := make([]Result, len(names))
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
			results[i] = p.cycle(ctx, r)
			if p.cfg.OnCycle != nil {
				p.cfg.OnCycle(results[i])
			}
		})
	}
	wg.Wait()
	return results
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
			if res.Err != nil && ctx.Err() == nil {
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

// hasDatePlaceholder reports whether a resource URL filters by date, so
// that a cycle sees only changed records rather than a full snapshot.
func hasDatePlaceholder(url string) bool { return strings.Contains(url, "${") }
