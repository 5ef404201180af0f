package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/signature"
	"github.com/a12b7632/elementevents/vendortest"
	"github.com/a12b7632/elementevents/webhook"
)

// demo holds the three parties of the quickstart, running: the store,
// your service and the consumer, each on its own loopback port.
type demo struct {
	out   io.Writer
	clock *clockwork.FakeClock // the store's clock

	shop     *vendortest.WooCommerce
	consumer *consumer
	svc      *service
	polling  *element.Instance // the instance that polls the store
	hooked   *element.Instance // the instance that gets its webhooks

	// stops stops everything started, last started first.
	stops []func(context.Context) error
}

// setUp starts the three parties and connects them: the instances' callback
// URL is the consumer's, their store.url the store's, and the store's
// webhooks go to the webhook instance's URL on your service.
func setUp(ctx context.Context, out io.Writer) (d *demo, err error) {
	d = &demo{out: out, clock: clockwork.NewFakeClockAt(storeStart)}
	defer func() {
		if err != nil {
			err = errors.Join(err, d.tearDown(ctx))
		}
	}()
	// Warnings and errors only: a clean run prints none.
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelWarn}))

	// The consumer: your application, at the instances' callback URL. It
	// shares the signature key with the Notifier.
	key, err := signature.ParseKey(signatureKey)
	if err != nil {
		return d, err
	}
	if d.consumer, err = newConsumer(out, []signature.Key{key}); err != nil {
		return d, err
	}
	consumerSrv, err := serve(d.consumer)
	if err != nil {
		return d, err
	}
	d.stops = append(d.stops, consumerSrv.close)

	// The WooCommerce store (package vendortest's fake), in California,
	// with two customers who registered last week.
	site, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		return d, err
	}
	var storeSrv *server
	d.shop, storeSrv, err = startStore(vendortest.WooConfig{
		Key: consumerKey, Secret: consumerSecret, Clock: d.clock, Site: site,
	}, storeStart, &d.stops)
	if err != nil {
		return d, err
	}

	// Your service: the two instances, parsed from JSON, and the library
	// wired for them, its webhook handler on the service's mux.
	mux := http.NewServeMux()
	serviceSrv, err := serve(mux)
	if err != nil {
		return d, err
	}
	d.stops = append(d.stops, serviceSrv.close)
	values := map[string]string{
		"WEB_STORE_URL":          storeSrv.URL,
		"CONSUMER_KEY":           consumerKey,
		"CONSUMER_SECRET":        consumerSecret,
		"CALLBACK_URL":           consumerSrv.URL + "/element-events",
		"OPTIONAL_SIGNATURE_KEY": signatureKey,
		"WEBHOOK_SECRET":         webhookSecret,
	}
	if d.polling, err = loadInstance(pollingJSON, values); err != nil {
		return d, err
	}
	if d.hooked, err = loadInstance(webhookJSON, values); err != nil {
		return d, err
	}
	if d.svc, err = newService([]*element.Instance{d.polling, d.hooked}, mux, d.clock, logger); err != nil {
		return d, err
	}
	d.stops = append(d.stops, d.svc.start())

	// The library registers the webhooks at the store itself, as its
	// REST API allows: one per customer.* topic (the instance's
	// event.objects), delivered to the webhook instance's URL on your
	// service and signed with its webhook.secret; the store pings each
	// one. Without it, the store's admin adds them by hand (WooCommerce >
	// Settings > Advanced > Webhooks). Call Reconcile again when the
	// instance changes, and run sub.Run to repair what the store disables.
	sub, err := webhook.NewSubscriber(webhook.SubscriberConfig{
		PublicURL: serviceSrv.URL, Guard: d.svc.guard, Sink: d.svc.notifier, Clock: d.clock, Logger: logger,
	})
	if err != nil {
		return d, err
	}
	if _, err := sub.Reconcile(ctx, d.hooked); err != nil {
		return d, err
	}
	return d, nil
}

// newCustomer returns a customer as the shop's sign-up form fills one in.
// startStore starts the fake WooCommerce store of cfg on a loopback port,
// with two customers who registered the week before now, and adds what
// stops it to stops.
func startStore(cfg vendortest.WooConfig, now time.Time, stops *[]func(context.Context) error) (*vendortest.WooCommerce, *server, error) {
	shop, err := vendortest.NewWooCommerce(cfg)
	if err != nil {
		return nil, nil, err
	}
	srv, err := serve(shop)
	if err != nil {
		return nil, nil, err
	}
	*stops = append(*stops, srv.close, func(context.Context) error {
		shop.Close() // the idle connections of its webhook client
		return nil
	})
	shop.SetURL(srv.URL)
	for i, c := range []vendortest.Customer{
		newCustomer("John", "Doe", "john.doe@example.com", "San Francisco"),
		newCustomer("Jane", "Roe", "jane.roe@example.com", "San Jose"),
	} {
		c.Created = now.AddDate(0, 0, i-7)
		c.Modified = c.Created
		shop.PutCustomer(c)
	}
	return shop, srv, nil
}

func newCustomer(first, last, email, city string) vendortest.Customer {
	addr := vendortest.Address{
		FirstName: first, LastName: last, Address1: "969 Market", City: city,
		State: "CA", Postcode: "94103", Country: "US",
	}
	billing := addr
	billing.Email, billing.Phone = email, "(555) 555-5555"
	return vendortest.Customer{
		Email: email, FirstName: first, LastName: last,
		Username: strings.ToLower(first + "." + last), Billing: billing, Shipping: addr,
	}
}

// tearDown stops everything setUp started, waiting up to 5 seconds for
// the requests and deliveries under way.
func (d *demo) tearDown(ctx context.Context) error {
	wait, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	var err error
	for _, stop := range slices.Backward(d.stops) {
		err = errors.Join(err, stop(wait))
	}
	d.stops = nil
	return err
}
