package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/api"
	"github.com/a12b7632/elementevents/console"
	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/webhook"
)

// Exit statuses.
const (
	exitOK      = 0 // a clean shutdown
	exitFailure = 1 // a runtime failure, or a shutdown that timed out
	exitUsage   = 2 // bad flags, tenants or seed files; nothing was started
)

// run is the program: it parses args, starts everything and serves until
// ctx ends (the signal), then shuts down. It returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, code, done := parseFlags(args, stdout, stderr)
	if done {
		return code
	}
	logger := newLogger(opts.logFormat, opts.logLevel, stderr)
	ln, err := net.Listen("tcp", opts.listen)
	if err != nil {
		logger.Error("cannot listen", "addr", opts.listen, "err", err)
		return exitFailure
	}
	opts.consoleKey = os.Getenv(consoleKeyEnv)
	p, code := start(ctx, opts, os.Getenv(tenantsEnv), clockwork.NewRealClock(), ln, logger, stderr)
	if p == nil {
		_ = ln.Close()
		return code
	}
	return p.serve(ctx)
}

// program is the running server.
type program struct {
	opts   options
	log    *slog.Logger
	st     stores
	eng    *engine.Engine
	demo   *demo // nil without -demo
	server *http.Server
	ln     net.Listener
	// metrics serves /metrics on its own listener; nil without
	// -metrics-listen.
	metrics *metrics
}

// start opens the stores, builds the engine, the API and the server on
// ln, and seeds the instances; nothing runs yet. On failure it returns
// nil and the exit status, having said why on stderr or in the log.
func start(ctx context.Context, o options, tenantList string, clock clockwork.Clock, ln net.Listener, logger *slog.Logger, stderr io.Writer) (*program, int) {
	tenants, err := parseTenants(tenantList, o.demo)
	if err == nil && len(tenants) == 0 {
		err = fmt.Errorf("no tenant can call the API: set %s (or run with -demo)", tenantsEnv)
	}
	if err != nil {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return nil, exitUsage
	}
	sessionKey, err := consoleSessionKey(o.consoleKey, logger)
	if err != nil {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return nil, exitUsage
	}
	st, err := openStores(o, logger)
	if err != nil {
		logger.Error("cannot open the stores", "err", err)
		return nil, exitFailure
	}
	p := &program{opts: o, log: logger, st: st, ln: ln}
	fail := func(code int, msg string, err error) (*program, int) {
		logger.Error(msg, "err", err)
		if p.metrics != nil {
			p.metrics.close()
		}
		_ = st.close()
		return nil, code
	}
	guard := netguard.Guard{AllowPrivate: o.allowPrivate}
	if o.metricsListen != "" {
		if p.metrics, err = newMetrics(o.metricsListen, clock, logger); err != nil {
			return fail(exitFailure, "cannot serve the metrics", err)
		}
	}
	ecfg := engine.Config{
		Store: st.instances, Events: st.events, Retention: o.retention,
		Notify: notify.Config{Outbox: st.outbox, Policy: notify.DeliveryPolicy{Guard: guard}},
		State:  st.state, Tokens: st.tokens, Claimer: st.claimer,
		Poller:        func(*element.Instance) poller.Config { return poller.Config{Guard: guard} },
		Webhook:       webhook.Config{Deduper: st.dedupe},
		Subscriptions: webhook.SubscriberConfig{PublicURL: o.publicURL, Guard: guard},
		Clock:         clock, Logger: logger,
	}
	webhooks := func(e *engine.Engine) http.Handler { return e.Webhooks() }
	if p.metrics != nil {
		ecfg = p.metrics.ins.Engine(ecfg)
		webhooks = func(e *engine.Engine) http.Handler { return p.metrics.ins.Handler(e.Webhooks()) }
	}
	p.eng, err = engine.New(ecfg)
	if err != nil {
		return fail(exitFailure, "cannot start the engine", err)
	}
	if p.metrics != nil {
		if err := p.metrics.observe(p.eng); err != nil {
			return fail(exitFailure, "cannot observe the engine", err)
		}
	}
	// The API and the console take the same credentials.
	auth := api.ElementsAuth(api.ElementsAuthConfig{Tenants: tenants})
	apiHandler, err := api.New(api.Config{Engine: p.eng, Authenticate: auth, Logger: logger.With("component", "api")})
	if err != nil {
		return fail(exitFailure, "cannot start the API", err)
	}
	consoleHandler, err := console.New(console.Config{Engine: p.eng, Authenticate: auth, SessionKey: sessionKey,
		Prefix: consolePrefix, Clock: clock, Logger: logger.With("component", "console")})
	if err != nil {
		return fail(exitFailure, "cannot start the console", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	// No method in the pattern: the handler answers 405 itself.
	mux.Handle("/events/{elementKey}/{instanceID}", webhooks(p.eng))
	mux.Handle(apiPrefix+"/", http.StripPrefix(apiPrefix, apiHandler))
	mux.Handle(consolePrefix+"/", consoleHandler)
	if o.demo {
		if p.demo, err = newDemo(baseURL(ln), clock, logger); err != nil {
			return fail(exitFailure, "cannot start the demo", err)
		}
		p.demo.register(mux)
	}
	p.server = &http.Server{
		Handler:           accessLog(mux, logger.With("component", "http")),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if err := seed(ctx, p.eng, o.seedTenant, o.seeds, logger); err != nil {
		fmt.Fprintf(stderr, "server: the -seed files have problems:\n%v\n", err)
		if p.metrics != nil {
			p.metrics.close()
		}
		_ = st.close()
		return nil, exitUsage
	}
	return p, exitOK
}

// serve runs the engine and the server until ctx ends or the server
// fails, then shuts down in the order that loses nothing: the server
// first (webhooks being handled get their events into the outbox), then
// the engine (polls in flight end, deliveries in flight finish), then the
// stores. It returns the exit status.
func (p *program) serve(ctx context.Context) int {
	p.log.Info("listening", "addr", p.ln.Addr().String(), "api", baseURL(p.ln)+apiPrefix,
		"console", baseURL(p.ln)+consolePrefix+"/")
	engCtx, stopEngine := context.WithCancel(context.WithoutCancel(ctx))
	defer stopEngine()
	engDone := make(chan error, 1)
	go func() { engDone <- p.eng.Run(engCtx) }()
	serveErr := make(chan error, 2)
	go func() { serveErr <- p.server.Serve(p.ln) }()
	if p.metrics != nil {
		p.log.Info("serving metrics", "url", baseURL(p.metrics.ln)+"/metrics")
		go func() {
			if err := p.metrics.serve(); err != nil {
				serveErr <- fmt.Errorf("metrics: %w", err)
			}
		}()
	}

	code := exitOK
	select {
	case <-ctx.Done():
		p.log.Info("shutdown started", "cause", context.Cause(ctx))
	case err := <-serveErr:
		p.log.Error("HTTP server failed; shutdown started", "err", err)
		code = exitFailure
	case err := <-engDone:
		p.log.Error("engine stopped; shutdown started", "err", err)
		engDone <- err
		code = exitFailure
	}
	sctx, cancel := context.WithTimeout(context.Background(), p.opts.shutdownTimeout)
	defer cancel()
	if err := p.server.Shutdown(sctx); err != nil {
		p.log.Warn("shutdown: requests still running at the timeout; closing them", "err", err)
		_ = p.server.Close()
		code = exitFailure
	}
	if p.metrics != nil {
		if err := p.metrics.shutdown(sctx); err != nil {
			p.log.Warn("shutdown: metrics", "err", err)
		}
	}
	stopEngine()
	select {
	case err := <-engDone:
		if err != nil && !errors.Is(err, context.Canceled) {
			p.log.Error("shutdown: engine", "err", err)
		}
	case <-sctx.Done():
		p.log.Warn("shutdown: polls or deliveries still in flight at the timeout; undelivered notifications stay in the outbox")
		code = exitFailure
	}
	if err := p.st.close(); err != nil {
		p.log.Error("shutdown: cannot close the stores", "err", err)
		code = exitFailure
	}
	p.log.Info("shutdown complete", "clean", code == exitOK)
	return code
}

// baseURL is the server's own URL on ln, with 127.0.0.1 for an address
// that listens on every interface.
func baseURL(ln net.Listener) string {
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return "http://" + ln.Addr().String()
	}
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(addr.Port))
}

// accessLog logs every request but health checks at info, with its
// status, path only: a query may carry a credential.
func accessLog(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		level := slog.LevelInfo
		if r.URL.Path == "/healthz" {
			level = slog.LevelDebug
		}
		log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path,
			"status", sw.status, "duration", time.Since(start))
	})
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
