package main

import (
	"context"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"sync"

	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/poller"
)

// app is the running program: one Notifier for every instance, a Poller
// per polling instance, and the HTTP server of the webhook instances.
type app struct {
	opts     options
	log      *slog.Logger
	insts    []instance
	st       stores
	notifier *notify.Notifier
	pollers  []*poller.Poller
	subs     *subscriptions // nil without -public-url
	server   *http.Server
}

// newApp wires the pieces; nothing runs yet.
func newApp(o options, insts []instance, st stores, logger *slog.Logger) (*app, error) {
	n, err := newNotifier(o, st, logger)
	if err != nil {
		return nil, err
	}
	ps, err := newPollers(o, insts, n, st, logger)
	if err != nil {
		return nil, err
	}
	h := newHooks(insts)
	subs, err := newSubscriptions(o, h, n, st, logger)
	if err != nil {
		return nil, err
	}
	srv, err := newServer(o, h, subs, n, st, logger)
	if err != nil {
		return nil, err
	}
	return &app{opts: o, log: logger, insts: insts, st: st, notifier: n, pollers: ps, subs: subs, server: srv}, nil
}

// serve runs everything until ctx ends or the server fails, then shuts
// down and returns the exit status.
func (a *app) serve(ctx context.Context, ln net.Listener, closeStores func() error) int {
	a.logInstances()
	a.log.Info("listening", "addr", ln.Addr().String())

	// The notifier outlives ctx: it is stopped last, once nothing more
	// can be published.
	notifyCtx, stopNotifier := context.WithCancel(context.WithoutCancel(ctx))
	defer stopNotifier()
	notifierDone := make(chan struct{})
	go func() {
		defer close(notifierDone)
		if err := a.notifier.Run(notifyCtx); err != nil {
			a.log.Error("notifier stopped", "err", err)
		}
	}()

	pollCtx, stopPolling := context.WithCancel(ctx)
	defer stopPolling()
	var polling sync.WaitGroup
	for _, p := range a.pollers {
		polling.Go(func() {
			if err := p.Run(pollCtx); err != nil {
				a.log.Error("poller stopped", "err", err)
			}
		})
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- a.server.Serve(ln) }()

	// Subscriptions start once the server serves: a vendor may call the
	// delivery URL as the webhook is created. They stop with the pollers.
	if a.subs != nil {
		polling.Go(func() {
			a.subs.reconcile(pollCtx)
			_ = a.subs.sub.Run(pollCtx) // returns when pollCtx ends
		})
	}

	code := exitOK
	select {
	case <-ctx.Done():
		a.log.Info("shutdown started", "cause", context.Cause(ctx))
	case err := <-serveErr:
		a.log.Error("HTTP server failed; shutdown started", "err", err)
		code = exitFailure
	}
	if !a.shutdown(stopPolling, &polling, stopNotifier, notifierDone, closeStores) {
		code = exitFailure
	}
	return code
}

// logInstances says what runs, and where the webhooks go.
func (a *app) logInstances() {
	for _, in := range a.insts {
		ev := in.inst.Configuration.Events
		attrs := []any{"instance", in.inst, "file", in.file, "callback", netguard.RedactURL(ev.CallbackURL),
			"signed", len(ev.SignatureKey) > 0}
		switch ev.VendorType {
		case "polling":
			attrs = append(attrs, "interval", ev.RefreshInterval.String(), "resources", slices.Sorted(maps.Keys(ev.Resources)))
			if base := a.opts.baseURLs[in.inst.Element.Key]; base != "" {
				attrs = append(attrs, "base_url", netguard.RedactURL(base))
			}
			a.log.Info("polling", attrs...)
		case "webhook":
			a.log.Info("serving webhooks", append(attrs, "path", in.webhookPath())...)
		}
	}
}
