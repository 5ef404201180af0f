package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/internal/keylock"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/webhook"
)

// Engine runs the instances of a Store: it polls the polling ones on their
// schedules, serves the webhooks of the others, and delivers every
// notification through its Notifier, logging each into its EventLog. Its
// writes (Create, Update, Patch, Delete, Enable, Disable) go to the Store
// and take effect at once, without a restart. It is safe for concurrent
// use.
type Engine struct {
	cfg      Config
	notifier *notify.Notifier
	webhooks *webhook.Handler
	subs     *subscriptions // nil when Config.Subscriptions is off
	sink     events.Sink
	// pollerLogger is the pollers' logger when Config.Poller sets none:
	// one for all, since a logger With attributes costs each instance
	// a copy of its handler.
	pollerLogger *slog.Logger

	// transports are the pollers' shared round trippers, one per SSRF
	// guard, so that 10,000 instances of one vendor share a few
	// connections instead of holding a pool each. Guarded by mu.
	transports map[string]http.RoundTripper

	writing keylock.Set // one write at a time per instance id

	defMu sync.Mutex
	defs  map[string]*element.Definition // by key, shared by the pollers

	mu      sync.Mutex
	slots   map[string]*slot  // by instance id
	tokens  map[string]string // instance token -> id
	sched   schedule
	gen     uint64        // counts installs
	wake    chan struct{} // a slot became due earlier, or a worker is free
	running atomic.Bool
}

// New returns an Engine for cfg, with defaults filled in. Nothing runs
// until Run; writes may come before it. An error wraps [ErrConfig] and
// names the field at fault.
func New(cfg Config) (*Engine, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	e := &Engine{
		cfg:    cfg,
		slots:  make(map[string]*slot),
		tokens: make(map[string]string),
		wake:   make(chan struct{}, 1),

		pollerLogger: cfg.Logger.With("component", "poller"),
	}
	ncfg := cfg.Notify
	ncfg.Endpoint = e.endpoint
	ncfg.Outbox = newLoggingOutbox(ncfg.Outbox, cfg.Events, e.tenantOf, func(err error) {
		cfg.Logger.Error("could not log a delivery in the event log", "err", err)
	})
	e.notifier, err = notify.New(ncfg)
	if err != nil {
		return nil, fmt.Errorf("%w: Notify: %w", ErrConfig, err)
	}
	e.sink = e.notifier
	if e.subs, err = e.newSubscriptions(); err != nil {
		return nil, fmt.Errorf("%w: Subscriptions: %w", ErrConfig, err)
	}
	wcfg := cfg.Webhook
	if wcfg.Subscriber == nil && e.subs != nil {
		wcfg.Subscriber = e.subs.sub
	}
	wcfg.Resolve = e.resolveWebhook
	wcfg.Instances = nil
	wcfg.Sink = e.sink
	e.webhooks, err = webhook.New(wcfg)
	if err != nil {
		return nil, fmt.Errorf("%w: Webhook: %w", ErrConfig, err)
	}
	return e, nil
}

// Notifier returns the Notifier that delivers the engine's notifications:
// its Outbox lists what is pending or dead. Run runs it.
func (e *Engine) Notifier() *notify.Notifier { return e.notifier }

// Webhooks returns the handler of the webhook instances' inbound vendor
// webhooks. Mount it as /events/{elementKey}/{instanceID} (no method in
// the pattern: it answers 405 itself). It serves an instance from the
// moment it is created or enabled, and refuses it (404) once it is
// deleted or disabled. With Config.Subscriptions on, the engine also
// registers the vendor's webhooks to it.
func (e *Engine) Webhooks() http.Handler { return e.webhooks }

// endpoint is the Notifier's Endpoint: the instance's callback URL and
// signature key as configured now, so that a change applies to what is
// not delivered yet. A deleted instance's notifications keep theirs.
func (e *Engine) endpoint(id string) (events.Endpoint, bool) {
	e.mu.Lock()
	s := e.slots[id]
	e.mu.Unlock()
	if s == nil {
		return events.Endpoint{}, false
	}
	ev := s.inst.Configuration.Events
	if ev.CallbackURL == "" {
		return events.Endpoint{}, false
	}
	return events.Endpoint{URL: ev.CallbackURL, Key: ev.SignatureKey}, true
}

// transport returns the round tripper shared by every poller under
// guard: one transport that dials through it. (Its result is not an
// *http.Transport, so a poller does not clone it.) Connections carry no
// credentials, which go on each request, so instances of different
// tenants may share them.
func (e *Engine) transport(guard netguard.Guard) http.RoundTripper {
	key := fmt.Sprint(guard.AllowPrivate, guard.HTTPSOnly, guard.Allow, guard.AllowAddrPorts)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.transports == nil {
		e.transports = make(map[string]http.RoundTripper)
	}
	rt, ok := e.transports[key]
	if !ok {
		rt = guard.RoundTripper(nil)
		e.transports[key] = rt
	}
	return rt
}

// tenantOf names the tenant of a running instance, for the event log;
// "" for one deleted.
func (e *Engine) tenantOf(id string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s := e.slots[id]; s != nil {
		return s.rec.Tenant
	}
	return ""
}

// resolveWebhook is the webhook handler's Resolve: the enabled webhook
// instances, by id.
func (e *Engine) resolveWebhook(_ context.Context, elementKey, id string) (*element.Instance, error) {
	e.mu.Lock()
	s := e.slots[id]
	e.mu.Unlock()
	switch {
	case s == nil, elementKey != "" && s.rec.ElementKey != elementKey:
		return nil, fmt.Errorf("%w: %q", webhook.ErrUnknownInstance, id)
	case !s.rec.Enabled:
		return nil, fmt.Errorf("%w: %w: instance %q is disabled", webhook.ErrUnknownInstance, webhook.ErrEventsDisabled, id)
	case s.inst.Configuration.Events.VendorType != "webhook":
		return nil, fmt.Errorf("%w: instance %q polls its vendor and takes no webhooks", webhook.ErrUnknownInstance, id)
	}
	return s.inst, nil
}

// errRunning reports a second Run.
var errRunning = errors.New("engine: Run is already active")
