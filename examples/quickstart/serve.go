package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/a12b7632/elementevents/api"
	"github.com/a12b7632/elementevents/console"
	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/signature"
	"github.com/a12b7632/elementevents/vendortest"
	"github.com/a12b7632/elementevents/webhook"
)

// The -serve playground's tenant, for the console's sign-in form and the
// API's "Authorization: User <user>, Organization <org>" header.
const (
	playTenant = "quickstart"
	playUser   = "quickstart-user"
	playOrg    = "quickstart-org"
)

// Where the playground mounts the API and the console.
const (
	apiPrefix     = "/elements/api-v2"
	consolePrefix = "/console"
)

// playground is what -serve runs after the story: the same parties (a
// fake store, a consumer), but the instances run by an engine (package
// engine), with the /instances API and the web console over it, on the
// real clock, until stopped.
type playground struct {
	// URL is the base URL of the API and the console.
	URL string

	eng   *engine.Engine
	shop  *vendortest.WooCommerce
	stops []func(context.Context) error // last started first
	done  chan error                    // the engine's Run
}

// startPlayground starts the playground on 127.0.0.1 and creates the
// quickstart's two instances through the engine, as a POST /instances
// does; one customer joins the store after the engine's first polls.
func startPlayground(ctx context.Context, out io.Writer) (pg *playground, err error) {
	pg = &playground{done: make(chan error, 1)}
	defer func() {
		if err != nil {
			err = errors.Join(err, pg.close(ctx))
		}
	}()
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelWarn}))
	key, err := signature.ParseKey(signatureKey)
	if err != nil {
		return pg, err
	}
	c, err := newConsumer(out, []signature.Key{key})
	if err != nil {
		return pg, err
	}
	consumerSrv, err := serve(c)
	if err != nil {
		return pg, err
	}
	pg.stops = append(pg.stops, consumerSrv.close)
	var storeSrv *server
	pg.shop, storeSrv, err = startStore(vendortest.WooConfig{Key: consumerKey, Secret: consumerSecret},
		time.Now().UTC(), &pg.stops)
	if err != nil {
		return pg, err
	}

	mux := http.NewServeMux()
	srv, err := serve(mux)
	if err != nil {
		return pg, err
	}
	pg.stops = append(pg.stops, srv.close)
	pg.URL = srv.URL

	// Loopback only, as in the story: the store and the consumer are on
	// 127.0.0.1.
	guard := netguard.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	if pg.eng, err = engine.New(engine.Config{
		Notify:        notify.Config{Policy: notify.DeliveryPolicy{Guard: guard}},
		Poller:        func(*element.Instance) poller.Config { return poller.Config{Guard: guard} },
		Subscriptions: webhook.SubscriberConfig{PublicURL: srv.URL, Guard: guard},
		Logger:        logger,
	}); err != nil {
		return pg, err
	}
	auth := api.ElementsAuth(api.ElementsAuthConfig{Tenants: []api.ElementsTenant{
		{ID: playTenant, UserSecret: playUser, OrgSecret: playOrg}}})
	apiHandler, err := api.New(api.Config{Engine: pg.eng, Authenticate: auth, Logger: logger})
	if err != nil {
		return pg, err
	}
	sessionKey := make([]byte, 32)
	_, _ = rand.Read(sessionKey) // crypto/rand.Read never fails
	consoleHandler, err := console.New(console.Config{Engine: pg.eng, Authenticate: auth,
		SessionKey: sessionKey, Prefix: consolePrefix, Logger: logger})
	if err != nil {
		return pg, err
	}
	mux.Handle(apiPrefix+"/", http.StripPrefix(apiPrefix, apiHandler))
	mux.Handle(consolePrefix+"/", consoleHandler)
	mux.Handle("/events/{elementKey}/{instanceID}", pg.eng.Webhooks())

	values := map[string]string{
		"WEB_STORE_URL":          storeSrv.URL,
		"CONSUMER_KEY":           consumerKey,
		"CONSUMER_SECRET":        consumerSecret,
		"CALLBACK_URL":           consumerSrv.URL + "/element-events",
		"OPTIONAL_SIGNATURE_KEY": signatureKey,
		"WEBHOOK_SECRET":         webhookSecret,
	}
	for _, body := range [][]byte{pollingJSON, webhookJSON} {
		filled, err := fill(body, values)
		if err != nil {
			return pg, err
		}
		if _, err := pg.eng.Create(ctx, playTenant, filled); err != nil {
			return pg, fmt.Errorf("create instance: %w", err)
		}
	}
	runCtx, stopEngine := context.WithCancel(context.WithoutCancel(ctx))
	go func() { pg.done <- pg.eng.Run(runCtx) }()
	pg.stops = append(pg.stops, func(wait context.Context) error {
		stopEngine()
		select {
		case err := <-pg.done:
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		case <-wait.Done():
			return fmt.Errorf("engine did not stop: %w", wait.Err())
		}
	})
	return pg, nil
}

// close stops everything, last started first, giving each part up to 2
// seconds to finish the work under way.
func (pg *playground) close(ctx context.Context) error {
	var err error
	for i := len(pg.stops) - 1; i >= 0; i-- {
		// Each part gets its own grace, so that one slow to stop does
		// not leave the next none.
		wait, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		err = errors.Join(err, pg.stops[i](wait))
		cancel()
	}
	pg.stops = nil
	return err
}

// servePlayground is -serve: it starts the playground, prints where to
// look and how to sign in, and serves until ctx ends (Ctrl-C).
func servePlayground(ctx context.Context, out io.Writer) error {
	out = &syncWriter{w: out}
	pg, err := startPlayground(ctx, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nServing the console over an engine that runs the same two instances (Ctrl-C to stop):\n"+
		"  console  %s%s/   sign in with user secret %q and organization secret %q\n"+
		"  API      %s%s/instances   with the header \"Authorization: User %s, Organization %s\"\n"+
		"A new customer joins the store in a few seconds; open an instance and press \"Poll now\" to see it sooner.\n",
		pg.URL, consolePrefix, playUser, playOrg, pg.URL, apiPrefix, playUser, playOrg)
	select {
	case <-ctx.Done():
	case <-time.After(3 * time.Second): // after the engine's first polls took their baseline
		if _, err := pg.shop.CreateCustomer(ctx, newCustomer("Ada", "Lovelace", "ada@example.com", "Oakland")); err != nil {
			fmt.Fprintln(out, "the store:", err)
		}
		<-ctx.Done()
	}
	return pg.close(ctx)
}
