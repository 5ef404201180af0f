package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// pruneEvery is how often Run prunes the event log.
const pruneEvery = time.Hour

// Run loads every instance of the Store and runs them until ctx ends: it
// polls the polling instances on their schedules (Workers at a time),
// delivers notifications, reloads the Store every Config.Reload for
// instances other processes wrote, and prunes the event log. With
// Config.Subscriptions on, it also registers, repairs and removes the
// webhook instances' vendor webhooks (see the package documentation). Instances
// loaded at start have their next cycle spread over their interval, so
// that a restart does not poll them all at once.
//
// When ctx ends, Run stops polling, waits for the cycles in flight, then
// stops the Notifier (what is not delivered stays in its outbox) and
// returns nil. It fails at once if the Store cannot be read, or if Run is
// already active.
func (e *Engine) Run(ctx context.Context) error {
	if !e.running.CompareAndSwap(false, true) {
		return errRunning
	}
	defer e.running.Store(false)
	if err := e.reload(ctx, true); err != nil {
		return err
	}

	// The notifier outlives the pollers: it stops once nothing more can
	// be published.
	notifyCtx, stopNotifier := context.WithCancel(context.WithoutCancel(ctx))
	defer stopNotifier()
	var notifying sync.WaitGroup
	notifying.Go(func() {
		if err := e.notifier.Run(notifyCtx); err != nil {
			e.cfg.Logger.Error("notifier stopped", "err", err)
		}
	})
	defer notifying.Wait()
	defer stopNotifier()

	var wg sync.WaitGroup
	wg.Go(func() { e.dispatch(ctx) })
	wg.Go(func() { e.maintain(ctx) })
	if e.subs != nil {
		wg.Go(func() { e.runSubscriptions(ctx) })
	}
	wg.Wait()
	return nil
}

// maintain reloads the store and prunes the event log on their tickers
// until ctx ends.
func (e *Engine) maintain(ctx context.Context) {
	e.prune(ctx)
	prune := e.cfg.Clock.NewTicker(pruneEvery)
	defer prune.Stop()
	var reload <-chan time.Time
	if e.cfg.Reload > 0 {
		t := e.cfg.Clock.NewTicker(e.cfg.Reload)
		defer t.Stop()
		reload = t.Chan()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-prune.Chan():
			e.prune(ctx)
		case <-reload:
			if err := e.reload(ctx, false); err != nil && ctx.Err() == nil {
				e.cfg.Logger.Error("could not reload the instances", "err", err)
			}
		}
	}
}

// prune removes the notifications older than the retention.
func (e *Engine) prune(ctx context.Context) {
	if e.cfg.Events == nil || e.cfg.Retention < 0 {
		return
	}
	n, err := e.cfg.Events.Prune(ctx, e.cfg.Clock.Now().Add(-e.cfg.Retention))
	switch {
	case err != nil && ctx.Err() == nil:
		e.cfg.Logger.Error("could not prune the event log", "err", err)
	case n > 0:
		e.cfg.Logger.Debug("pruned the event log", "removed", n)
	}
}

// reload reads every instance of the Store and makes the running set
// agree: new and changed versions are installed, instances gone from the
// Store are stopped (their state is forgotten by the process that deleted
// them). At start, polling instances are spread over their interval. An
// instance that no longer parses is logged and left as it runs.
func (e *Engine) reload(ctx context.Context, start bool) error {
	seen := make(map[string]bool)
	e.mu.Lock()
	startGen := e.gen // instances installed after this were written meanwhile
	e.mu.Unlock()
	after := ""
	for {
		page, err := e.cfg.Store.List(ctx, Filter{AllTenants: true, After: after, Limit: MaxListLimit})
		if err != nil {
			return fmt.Errorf("engine: load the instances: %w", err)
		}
		for _, rec := range page {
			seen[rec.ID] = true
			if e.installed(rec.ID) >= rec.Version {
				continue
			}
			s, err := e.build(&rec)
			if err != nil {
				e.cfg.Logger.Error("a stored instance does not parse; it is not run", "instance", rec.ID, "tenant", rec.Tenant, "err", err)
				continue
			}
			e.install(s, false)
			if start {
				e.spread(s)
			}
		}
		if len(page) < MaxListLimit {
			break
		}
		after = page[len(page)-1].ID
	}
	e.mu.Lock()
	var gone []string
	for id, s := range e.slots {
		if !seen[id] && s.gen <= startGen {
			gone = append(gone, id)
		}
	}
	e.mu.Unlock()
	for _, id := range gone {
		e.remove(ctx, id, false)
	}
	return nil
}

// installed returns the version of the running instance id, 0 if none.
func (e *Engine) installed(id string) int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s := e.slots[id]; s != nil {
		return s.rec.Version
	}
	return 0
}

// spread moves the first cycle of a loaded instance to a random time in
// its first interval.
func (e *Engine) spread(s *slot) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s.index >= 0 && e.slots[s.rec.ID] == s {
		now := e.cfg.Clock.Now()
		if e.cfg.Claimer != nil {
			e.put(s, window(now, s.interval).Add(rand.N(s.interval/10+1)))
			return
		}
		e.put(s, now.Add(rand.N(s.interval)))
	}
}
