package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/webhook"
)

// service is your service: the code that uses the library. One Notifier
// delivers for every instance; each polling instance has a Poller; one
// webhook Handler, mounted on your mux, serves every webhook instance.
type service struct {
	notifier *notify.Notifier
	guard    netguard.Guard // of every request to the store and the consumer
	pollers  []*poller.Poller
	polled   []*element.Instance // the instance of each poller

	// attempted is signalled after every delivery attempt, so that the
	// story can wait for the deliveries it caused (see settle).
	attempted chan struct{}
}

// newService wires the library for insts and mounts the webhook handler on
// mux. vendorClock is the clock of the vendor side: see below.
func newService(insts []*element.Instance, mux *http.ServeMux, vendorClock clockwork.Clock, logger *slog.Logger) (*service, error) {
	s := &service{attempted: make(chan struct{}, 1)}
	// The SSRF guard refuses loopback addresses by default, and the fake
	// store and the consumer are on 127.0.0.1: allow loopback, and only
	// that, to both the pollers and the Notifier. A service whose vendor
	// and callback URLs are public leaves Guard zero.
	guard := netguard.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	s.guard = guard
	n, err := notify.New(notify.Config{
		Policy: notify.DeliveryPolicy{
			Guard:    guard,
			Schedule: []time.Duration{0, 100 * time.Millisecond, time.Second},
		},
		// Three attempts, 100 ms and 1 s apart (±20%), so that the retry
		// the quickstart shows costs no time. Leave Schedule unset in
		// production: the default retries for about 27 hours.
		Logger: logger,
		OnAttempt: func(notify.AttemptInfo) {
			select {
			case s.attempted <- struct{}{}:
			default: // one signal pending is enough
			}
		},
		// Clock is left to the real clock: the consumer checks each
		// signature's timestamp against its own (real) clock.
	})
	if err != nil {
		return nil, err
	}
	s.notifier = n

	var hooked []*element.Instance
	for _, inst := range insts {
		if !inst.Configuration.Events.Enabled {
			continue
		}
		switch inst.Configuration.Events.VendorType {
		case "polling":
			p, err := poller.New(poller.Config{
				Instance: inst,
				Sink:     n, // the default Source is an HTTPSource built from the element definition
				Guard:    guard,
				// The poller's clock times Run's interval, retries and
				// request timeouts. The quickstart calls Poll itself each
				// time the store's fake clock has moved by the refresh
				// interval, so it shares that clock. Leave it unset in
				// production.
				Clock:  vendorClock,
				Logger: logger,
			})
			if err != nil {
				return nil, fmt.Errorf("instance %s: %w", inst.Name, err)
			}
			s.pollers = append(s.pollers, p)
			s.polled = append(s.polled, inst)
		case "webhook":
			hooked = append(hooked, inst)
		}
	}
	if len(hooked) > 0 {
		h, err := webhook.New(webhook.Config{
			Instances: hooked,
			Sink:      n,
			// Dates the events of webhooks whose body has no date
			// (customer.deleted): on the store's clock here, so that
			// every run prints the same. Leave it unset in production.
			Clock:  vendorClock,
			Logger: logger,
		})
		if err != nil {
			return nil, err
		}
		mux.Handle("POST /events/{elementKey}/{instanceID}", h)
	}
	return s, nil
}

// start runs the Notifier until the returned stop is called; stop waits
// for the attempts in flight.
func (s *service) start() (stop func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.notifier.Run(ctx) }()
	return func(wait context.Context) error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-wait.Done():
			return fmt.Errorf("notifier did not stop: %w", wait.Err())
		}
	}
}

// settle waits until nothing is pending in the Notifier's outbox: every
// notification published so far was delivered, or failed for good. A
// service does not need this; the quickstart waits so that its lines come
// in a fixed order.
func (s *service) settle(ctx context.Context) error {
	for {
		pending, err := s.notifier.Outbox().List(ctx, notify.Filter{State: notify.Pending, Limit: 1})
		if err != nil {
			return err
		}
		if len(pending) == 0 {
			return nil
		}
		select {
		case <-s.attempted:
		case <-ctx.Done():
			return fmt.Errorf("waiting for deliveries: %w", context.Cause(ctx))
		}
	}
}

// poll runs one cycle of every poller, as each one's Run does every
// refresh interval, and returns the results.
func (s *service) poll(ctx context.Context) ([]poller.Result, error) {
	var all []poller.Result
	var errs []error
	for i, p := range s.pollers {
		for _, r := range p.Poll(ctx) {
			if r.Err != nil {
				errs = append(errs, fmt.Errorf("instance %s: %w", s.polled[i].Name, r.Err))
			}
			all = append(all, r)
		}
	}
	return all, errors.Join(errs...)
}
