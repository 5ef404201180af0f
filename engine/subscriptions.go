package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/webhook"
)

// Defaults of the vendor webhook subscriptions.
const (
	// subscribeWorkers is how many instances are reconciled with their
	// vendor at once: a vendor call may take Timeout (30 s), and one slow
	// vendor must not hold every other instance's subscription.
	subscribeWorkers = 4

	// defaultRemoveRetry is how often a vendor webhook removal that
	// failed is tried again, when Subscriptions.Interval is not set (the
	// Subscriber's own default repair interval).
	defaultRemoveRetry = 15 * time.Minute
)

// subscriptions registers the webhook instances' vendor webhooks through
// a webhook.Subscriber, off the callers' writes: a write queues the
// instance id, and Run's workers reconcile it with the vendor (or remove
// its webhooks there). Fields after mu are guarded by it; it is taken
// after Engine.mu, never before.
type subscriptions struct {
	sub   *webhook.Subscriber
	retry time.Duration // how often failed removals are tried again
	wake  chan struct{} // an id was queued, or a busy one finished

	mu sync.Mutex
	// queued holds the ids to sync with their vendor, each with the
	// instance as it was when it was last subscribed (nil if it still
	// is), which a removal needs: its store and credentials.
	queued map[string]*element.Instance
	order  []string                     // queued ids, first queued first
	busy   map[string]bool              // ids a worker is syncing
	failed map[string]*element.Instance // removals to try again
	// reconciled is the instance last given to Reconcile, by id, until
	// its webhooks are removed: the vendor has its webhooks.
	reconciled map[string]*element.Instance
	// skip holds, by id, the version the engine wrote to keep a
	// generated secret: its webhooks are already in place.
	skip    map[string]int64
	fillers map[string]*poller.Poller // gap fillers, by id
}

// newSubscriptions returns the engine's subscriptions for
// cfg.Subscriptions, or nil when its PublicURL is empty.
func (e *Engine) newSubscriptions() (*subscriptions, error) {
	sc := e.cfg.Subscriptions
	if sc.PublicURL == "" {
		return nil, nil
	}
	q := &subscriptions{
		retry:      sc.Interval,
		wake:       make(chan struct{}, 1),
		queued:     make(map[string]*element.Instance),
		busy:       make(map[string]bool),
		failed:     make(map[string]*element.Instance),
		reconciled: make(map[string]*element.Instance),
		skip:       make(map[string]int64),
		fillers:    make(map[string]*poller.Poller),
	}
	if q.retry <= 0 {
		q.retry = defaultRemoveRetry
	}
	sc.Sink, sc.Clock, sc.Tokens, sc.Backfill = e.sink, e.cfg.Clock, e.cfg.Tokens, e.backfill
	if sc.Logger == nil {
		sc.Logger = e.cfg.Logger.With("component", "subscriptions")
	}
	var err error
	if q.sub, err = webhook.NewSubscriber(sc); err != nil {
		return nil, err
	}
	return q, nil
}

// subscribed reports whether s is an instance whose vendor webhooks
// should be in place: enabled, events enabled, vendor type webhook.
func subscribed(s *slot) bool {
	if s == nil || !s.rec.Enabled {
		return false
	}
	ev := s.inst.Configuration.Events
	return ev.Enabled && ev.VendorType == "webhook"
}

// subscriptionChanged queues instance id to sync with its vendor when
// the slot installed in place of old (now nil: removed) is, or old was,
// subscribed. The caller holds e.mu.
func (e *Engine) subscriptionChanged(id string, old, now *slot) {
	if e.subs == nil {
		return
	}
	wasOn, isOn := subscribed(old), subscribed(now)
	if !wasOn && !isOn {
		return
	}
	var was *element.Instance
	if wasOn {
		was = old.inst
	}
	e.subs.enqueue(id, was)
}

// enqueue queues id, with was (when not nil) the instance as it was
// subscribed, and drops its gap filler: it was made of an older version.
func (q *subscriptions) enqueue(id string, was *element.Instance) {
	q.mu.Lock()
	q.requeueLocked(id, was)
	delete(q.fillers, id)
	q.mu.Unlock()
}

// requeueLocked queues id, keeping the first was since it was last
// taken: the instance whose webhooks the vendor has. The caller holds
// q.mu.
func (q *subscriptions) requeueLocked(id string, was *element.Instance) {
	prev, ok := q.queued[id]
	if !ok {
		q.order = append(q.order, id)
	}
	if prev != nil {
		was = prev
	}
	q.queued[id] = was
	q.signal()
}

// signal wakes a worker without blocking.
func (q *subscriptions) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take returns the first queued id no worker is syncing, marked busy.
func (q *subscriptions) take() (id string, was *element.Instance, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, id := range q.order {
		if q.busy[id] {
			continue
		}
		q.order = slices.Delete(q.order, i, i+1)
		was = q.queued[id]
		delete(q.queued, id)
		q.busy[id] = true
		return id, was, true
	}
	return "", nil, false
}

// finish ends the sync of id.
func (q *subscriptions) finish(id string) {
	q.mu.Lock()
	delete(q.busy, id)
	_, again := q.queued[id]
	q.mu.Unlock()
	if again {
		q.signal()
	}
}

// runSubscriptions runs the Subscriber's periodic repair, the workers
// that sync the queued instances, and the retry of failed removals, until
// ctx ends.
func (e *Engine) runSubscriptions(ctx context.Context) {
	q := e.subs
	var wg sync.WaitGroup
	wg.Go(func() { _ = q.sub.Run(ctx) }) // returns ctx's error
	for range subscribeWorkers {
		wg.Go(func() { e.subscribeWorker(ctx) })
	}
	wg.Go(func() {
		t := e.cfg.Clock.NewTicker(q.retry)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.Chan():
				q.mu.Lock()
				failed := q.failed
				q.failed = make(map[string]*element.Instance)
				q.mu.Unlock()
				for _, id := range slices.Sorted(maps.Keys(failed)) {
					q.enqueue(id, failed[id])
				}
			}
		}
	})
	wg.Wait()
}

// subscribeWorker syncs queued instances with their vendor until ctx
// ends. An instance is synced by one worker at a time.
func (e *Engine) subscribeWorker(ctx context.Context) {
	q := e.subs
	for ctx.Err() == nil { // what ctx cut short is queued again: not taken until the next Run
		id, was, ok := q.take()
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-q.wake:
			}
			continue
		}
		q.signal() // another worker may take the next id
		e.syncSubscription(ctx, id, was)
		q.finish(id)
	}
}

// syncSubscription makes the vendor webhooks of instance id what it is
// now. While it is subscribed, it is reconciled (the Subscriber then
// repairs its webhooks every interval, and retries a failure), after its
// webhooks at another vendor address (a changed store URL), if any, are
// removed. Otherwise its webhooks are removed, through the instance last
// reconciled (else was, the instance as it was subscribed, else its
// current version): a removal that fails is tried again every
// subscriptions.retry. Work cut short by ctx is queued again for the
// next Run.
func (e *Engine) syncSubscription(ctx context.Context, id string, was *element.Instance) {
	q := e.subs
	e.mu.Lock()
	s := e.slots[id]
	e.mu.Unlock()
	q.mu.Lock()
	last := q.reconciled[id]
	if last == nil {
		last = was
	}
	q.mu.Unlock()
	if subscribed(s) {
		q.mu.Lock()
		delete(q.failed, id)
		skip := q.skip[id] == s.rec.Version
		delete(q.skip, id)
		q.mu.Unlock()
		if skip {
			return
		}
		if last != nil && e.moved(last, s.inst) {
			if err := q.sub.Remove(ctx, last); err != nil && ctx.Err() == nil {
				e.cfg.Logger.Error("could not remove the instance's vendor webhooks at its former address; they are left there",
					"instance", id, "err", err)
			}
		}
		q.mu.Lock()
		q.reconciled[id] = s.inst
		q.mu.Unlock()
		got, err := q.sub.Reconcile(ctx, s.inst)
		if got != nil && got != s.inst {
			e.keepSecret(context.WithoutCancel(ctx), s, got)
		}
		switch {
		case err != nil && ctx.Err() != nil:
			q.enqueue(id, was)
		case err != nil:
			e.cfg.Logger.Error("could not set up the instance's vendor webhooks; tried again at the next repair",
				"instance", id, "tenant", s.rec.Tenant, "err", err)
		default:
			e.cfg.Logger.Debug("the instance's vendor webhooks are in place", "instance", id)
		}
		return
	}
	inst := last
	if inst == nil && s != nil {
		inst = s.inst
	}
	if inst == nil {
		return
	}
	q.mu.Lock()
	delete(q.skip, id)
	q.mu.Unlock()
	err := q.sub.Remove(ctx, inst)
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case err != nil && ctx.Err() != nil:
		q.requeueLocked(id, inst)
	case err != nil:
		e.cfg.Logger.Error("could not remove the instance's vendor webhooks; tried again later",
			"instance", id, "retry", q.retry, "err", err)
		q.failed[id] = inst
	default:
		delete(q.failed, id)
		delete(q.reconciled, id)
		e.cfg.Logger.Debug("removed the instance's vendor webhooks", "instance", id)
	}
}

// moved reports whether the vendor address of now (its element's base
// URL: the store URL, say) is not that of old, whose webhooks are there.
func (e *Engine) moved(old, now *element.Instance) bool {
	if old.Element.Key != now.Element.Key {
		return true
	}
	def, err := e.definition(now.Element.Key)
	if err != nil {
		return false
	}
	a, errA := def.ExpandBaseURL(old.Configuration.Get)
	b, errB := def.ExpandBaseURL(now.Configuration.Get)
	return errA == nil && errB == nil && a != b
}

// keepSecret stores the webhook secret the Subscriber generated for the
// instance of s (got holds it) in its body, so that the Handler verifies
// deliveries with it and a restart keeps it. The write names the version
// reconciled; after a concurrent write it is retried on the new version
// only while the instance is subscribed the same way and has no secret
// of its own; otherwise that write queued its own reconcile, which keeps
// the secret then. The secret is never logged.
func (e *Engine) keepSecret(ctx context.Context, s *slot, got *element.Instance) {
	def, err := e.definition(s.rec.ElementKey)
	if err != nil || def.Webhook.SecretKey == "" {
		return
	}
	key := def.Webhook.SecretKey
	secret, _ := got.Configuration.Get(key)
	if have, _ := s.inst.Configuration.Get(key); secret == "" || have == secret {
		return
	}
	patch, err := json.Marshal(map[string]map[string]string{"configuration": {key: secret}})
	if err != nil {
		return
	}
	tenant, id, version := s.rec.Tenant, s.rec.ID, s.rec.Version
	for range maxRetries {
		inst, err := e.Patch(ctx, tenant, id, version, patch)
		if err == nil {
			e.subs.mu.Lock()
			e.subs.skip[id] = inst.Version
			e.subs.mu.Unlock()
			e.cfg.Logger.Info("stored the generated vendor webhook secret in the instance", "instance", id, "key", key, "version", inst.Version)
			return
		}
		if errors.Is(err, ErrNotFound) { // deleted meanwhile: its removal is queued
			return
		}
		if !errors.Is(err, ErrConflict) {
			e.cfg.Logger.Error("could not store the generated vendor webhook secret in the instance", "instance", id, "key", key, "err", err)
			return
		}
		cur, err := e.Get(ctx, tenant, id)
		if err != nil || !sameSubscription(s, cur, key) {
			return
		}
		version = cur.Version
	}
}

// sameSubscription reports whether cur is subscribed as s was, without a
// secret under key: its vendor webhooks are those reconciled for s.
func sameSubscription(s *slot, cur *Instance, key string) bool {
	ev := cur.Config.Configuration.Events
	if !cur.Enabled || !ev.Enabled || ev.VendorType != "webhook" || cur.ElementKey != s.rec.ElementKey {
		return false
	}
	if v, _ := cur.Config.Configuration.Get(key); v != "" {
		return false
	}
	a, b := vendorConfig(s.inst), vendorConfig(cur.Config)
	return a != nil && b != nil && maps.EqualFunc(a, b, func(x, y json.RawMessage) bool { return bytes.Equal(x, y) })
}

// vendorConfig returns the configuration of inst that its vendor
// webhooks depend on: every key but where and how notifications are
// delivered. Nil if it does not marshal.
func vendorConfig(inst *element.Instance) map[string]json.RawMessage {
	raw, err := json.Marshal(inst.Configuration)
	if err != nil {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	delete(m, "event.notification.callback.url")
	delete(m, "event.notification.signature.key")
	return m
}

// backfill is the Subscriber's Backfill: one cycle of the instance's
// resource for object from since, through the instance's gap filler.
func (e *Engine) backfill(ctx context.Context, inst *element.Instance, object string, since time.Time) error {
	p, err := e.filler(inst)
	if err != nil {
		return err
	}
	return p.Backfill(ctx, object, since).Err
}

// filler returns the gap filler of a webhook instance: a poller made as
// the polling instances' are, the first time it is needed, and kept (what
// it loaded spans the gap fills) until the instance changes or goes.
func (e *Engine) filler(inst *element.Instance) (*poller.Poller, error) {
	q := e.subs
	q.mu.Lock()
	p := q.fillers[inst.ID]
	q.mu.Unlock()
	if p != nil {
		return p, nil
	}
	// Made without q.mu: pollerConfig takes e.mu, which comes first.
	pc, err := e.pollerConfig(inst)
	if err != nil {
		return nil, err
	}
	if p, err = poller.New(pc); err != nil {
		return nil, err
	}
	e.mu.Lock()
	_, live := e.slots[inst.ID]
	e.mu.Unlock()
	if !live { // deleted meanwhile: not kept
		return p, nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if cur := q.fillers[inst.ID]; cur != nil {
		return cur, nil
	}
	q.fillers[inst.ID] = p
	return p, nil
}
