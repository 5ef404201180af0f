package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/webhook"
)

// publicURLFlagHelp is the -h text of -public-url.
const publicURLFlagHelp = "public base `URL` where the vendors reach this program (https://hooks.example.com).\n" +
	"With it, the webhooks of the webhook instances are registered at the vendor (WooCommerce:\n" +
	"one per topic of event.objects, delivered to URL/events/{elementKey}/{instanceID}),\n" +
	"repaired at every refresh interval, and what they missed meanwhile is polled once.\n" +
	"Without webhook.secret in the instance file a secret is generated at each start"

// hooks are the webhook instances as the Handler reads them: the files'
// instances, or those Reconcile returned with their generated secret.
type hooks struct {
	mu    sync.Mutex
	byID  map[string]*element.Instance
	order []string // the ids, in file order
}

func newHooks(insts []instance) *hooks {
	h := &hooks{byID: map[string]*element.Instance{}}
	for _, in := range insts {
		if in.inst.Configuration.Events.VendorType == "webhook" {
			h.byID[in.inst.ID] = in.inst
			h.order = append(h.order, in.inst.ID)
		}
	}
	return h
}

// resolve is the Handler's Config.Resolve.
func (h *hooks) resolve(_ context.Context, elementKey, id string) (*element.Instance, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if inst, ok := h.byID[id]; ok && inst.Element.Key == elementKey {
		return inst, nil
	}
	return nil, webhook.ErrUnknownInstance
}

func (h *hooks) list() []*element.Instance {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*element.Instance, 0, len(h.order))
	for _, id := range h.order {
		out = append(out, h.byID[id])
	}
	return out
}

func (h *hooks) set(inst *element.Instance) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.byID[inst.ID] = inst
}

// subscriptions registers and repairs the webhook instances' vendor
// webhooks, and fills their gaps through a poller per instance.
type subscriptions struct {
	sub   *webhook.Subscriber
	hooks *hooks
	log   *slog.Logger

	mu      sync.Mutex
	pollers map[string]*poller.Poller // gap fillers, by instance id
}

// newSubscriptions returns nil when -public-url is not set.
func newSubscriptions(o options, h *hooks, sink events.Sink, st stores, logger *slog.Logger) (*subscriptions, error) {
	if o.publicURL == "" {
		return nil, nil
	}
	s := &subscriptions{hooks: h, log: logger.With("component", "subscriptions"), pollers: map[string]*poller.Poller{}}
	guard := netguard.Guard{AllowPrivate: o.allowPrivate}
	sub, err := webhook.NewSubscriber(webhook.SubscriberConfig{
		PublicURL: o.publicURL, Guard: guard, Sink: sink, Logger: s.log, Tokens: st.Tokens,
		Backfill: func(ctx context.Context, inst *element.Instance, object string, since time.Time) error {
			p, err := s.poller(inst, sink, st, guard)
			if err != nil {
				return err
			}
			return p.Backfill(ctx, object, since).Err
		},
	})
	if err != nil {
		return nil, fmt.Errorf("-public-url: %w", err)
	}
	s.sub = sub
	return s, nil
}

// poller returns the instance's gap filler, made the first time.
func (s *subscriptions) poller(inst *element.Instance, sink events.Sink, st stores, guard netguard.Guard) (*poller.Poller, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.pollers[inst.ID]; ok {
		return p, nil
	}
	p, err := poller.New(poller.Config{Instance: inst, Sink: sink, State: st.PollerState, Tokens: st.Tokens,
		Guard: guard, Logger: s.log})
	if err != nil {
		return nil, err
	}
	s.pollers[inst.ID] = p
	return p, nil
}

// reconcile subscribes every webhook instance once. A failure is logged
// (and sent to the instance's callback as a status) but does not stop the
// program: Run tries again at the next interval.
func (s *subscriptions) reconcile(ctx context.Context) {
	for _, inst := range s.hooks.list() {
		kept, err := s.sub.Reconcile(ctx, inst)
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				s.log.Error("vendor webhooks not set up; retried at the next interval", "instance", inst.ID, "err", err)
			}
			continue
		}
		s.hooks.set(kept)
		s.log.Info("vendor webhooks in place", "instance", inst.ID)
	}
}

// checkPublicURL checks -public-url.
func checkPublicURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return fmt.Errorf("-public-url: %q is not an absolute http(s) URL without query", raw)
	}
	return nil
}
