package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/vendortest"
)

// summary is what a run did.
type summary struct {
	// Stats are the Notifier's counters: Enqueued notifications were
	// sent, Delivered, Retried (failed attempts rescheduled) and Dead
	// (failed for good).
	Stats notify.Stats
	// Received lists every event the consumer accepted, in order.
	Received []received
	// Requests are the notification requests the consumer accepted.
	Requests []verified
	// StoreRequests are the requests the store saw: the poller's, signed
	// with OAuth 1.0a, since the store is on http.
	StoreRequests []vendortest.LoggedRequest
}

// run tells the quickstart's story on w and returns what happened. It
// starts every party, stops them all before it returns, and fails if
// anything does not go as told.
func run(ctx context.Context, w io.Writer) (sum summary, err error) {
	out := &syncWriter{w: w}
	d, err := setUp(ctx, out)
	if err != nil {
		return sum, err
	}
	defer func() { err = errors.Join(err, d.tearDown(ctx)) }()

	interval := d.polling.Configuration.Events.RefreshInterval
	fmt.Fprintf(out, "A fake WooCommerce store, two instances of it and a consumer, all on 127.0.0.1.\n"+
		"%s polls the store's customers every %v; %s registered the store's customer.* webhooks and gets them.\n"+
		"Store time is a fake clock: the %v between polls pass in an instant.\n\n",
		d.polling.Name, interval, d.hooked.Name, interval)

	// 12:00, the first poll: the poller takes a baseline and reports
	// nothing.
	res, err := d.svc.poll(ctx)
	if err != nil {
		return sum, err
	}
	d.say("%s polls the store: %d %s in %s, its baseline (no events)",
		d.polling.Name, res[0].Records, res[0].Resource, plural(res[0].Pages, "page"))
	lastPoll := d.clock.Now()
	// poll moves the store's clock to the next refresh and polls.
	poll := func() error {
		lastPoll = lastPoll.Add(interval)
		d.clock.Advance(lastPoll.Sub(d.clock.Now()))
		return d.poll(ctx)
	}

	// The consumer is restarting when the first notification comes.
	d.consumer.restarting.Store(true)
	story := []func() error{
		func() error {
			return d.change(ctx, "the store creates customers 3 and 4", func() error {
				if _, err := d.shop.CreateCustomer(ctx, newCustomer("Ada", "Lovelace", "ada@example.com", "Oakland")); err != nil {
					return err
				}
				_, err := d.shop.CreateCustomer(ctx, newCustomer("Alan", "Turing", "alan@example.com", "Palo Alto"))
				return err
			})
		},
		poll,
		func() error {
			return d.change(ctx, "customer 3 changes email; customer 1 moves to Berkeley", func() error {
				_, err := d.shop.UpdateCustomer(ctx, 3, func(c *vendortest.Customer) {
					c.Email, c.Billing.Email = "ada.lovelace@example.com", "ada.lovelace@example.com"
				})
				if err != nil {
					return err
				}
				_, err = d.shop.UpdateCustomer(ctx, 1, func(c *vendortest.Customer) {
					c.Billing.City, c.Shipping.City = "Berkeley", "Berkeley"
					c.Billing.Postcode, c.Shipping.Postcode = "94704", "94704"
				})
				return err
			})
		},
		poll,
		func() error {
			return d.change(ctx, "the store deletes customer 2", func() error { return d.shop.Delete(ctx, "customers", 2) })
		},
		// A record is DELETED once two snapshots in a row miss it: a list
		// that shifts while it is paged can skip a record.
		poll,
		poll,
	}
	for _, step := range story {
		if err := step(); err != nil {
			return sum, err
		}
	}

	sum.Stats = d.svc.notifier.Stats()
	sum.Received, sum.Requests = d.consumer.results()
	sum.StoreRequests = d.shop.Log().Since(0)
	fmt.Fprintf(out, "\nsummary: %d notifications sent (%d events), %d delivered, %d retried, %d failed\n",
		sum.Stats.Enqueued, len(sum.Received), sum.Stats.Delivered, sum.Stats.Retried, sum.Stats.Dead)
	return sum, nil
}

// say prints a line of the story, at the store's time.
func (d *demo) say(format string, args ...any) {
	fmt.Fprintf(d.out, "%s  %s\n", d.clock.Now().Format("15:04"), fmt.Sprintf(format, args...))
}

// change moves the store's clock a minute on, says what the store does,
// does it, and waits until the notifications it causes are delivered.
func (d *demo) change(ctx context.Context, what string, do func() error) error {
	d.clock.Advance(time.Minute)
	d.say("%s", what)
	if err := do(); err != nil {
		return err
	}
	return d.svc.settle(ctx)
}

// poll runs a poll cycle, waits until its notifications are delivered,
// then says what the poll read.
func (d *demo) poll(ctx context.Context) error {
	d.say("%s polls the store", d.polling.Name)
	res, err := d.svc.poll(ctx)
	if err != nil {
		return err
	}
	if err := d.svc.settle(ctx); err != nil {
		return err
	}
	for _, r := range res {
		fmt.Fprintf(d.out, "       (read %d %s in %s: %s)\n", r.Records, r.Resource, plural(r.Pages, "page"), count(r.Events))
	}
	return nil
}

// count writes a poll's events by type: "2 CREATED, 1 UPDATED".
func count(byType map[events.Type]int) string {
	var parts []string
	for _, t := range []events.Type{events.Created, events.Updated, events.Deleted, events.Unknown} {
		if byType[t] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", byType[t], t))
		}
	}
	if len(parts) == 0 {
		return "nothing new"
	}
	return strings.Join(parts, ", ")
}

// plural writes "1 page", "2 pages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
