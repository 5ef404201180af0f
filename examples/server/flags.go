package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/a12b7632/elementevents/engine"
)

// options are the parsed command-line flags.
type options struct {
	listen          string
	statePath       string
	postgres        string
	seeds           []string
	seedTenant      string
	allowPrivate    bool
	publicURL       string
	demo            bool
	retention       time.Duration
	logFormat       string
	logLevel        slog.Level
	shutdownTimeout time.Duration
	metricsListen   string
	consoleKey      string // hex, from ELEMENTEVENTS_CONSOLE_KEY; empty: random per start
}

// apiPrefix is where the /instances API is mounted: the documented
// platform's base path.
const apiPrefix = "/elements/api-v2"

const usageIntro = `server runs elementevents as a service: the /instances REST API under
` + apiPrefix + `, the vendors' webhooks at /events/{elementKey}/{instanceID}, the
OpenAPI document at ` + apiPrefix + `/openapi.json, the web console at ` + consolePrefix + `/
and GET /healthz; with -metrics-listen, Prometheus metrics at /metrics on a
listener of their own.

Usage:
  server [flags]

Examples:
  server -demo                              # the README walkthrough: fake store, receiver, demo tenant
  server -listen :8080 -state ./elementevents.db
  server -postgres postgres://user@db/elementevents -state ./node1.db

Callers authenticate as the documented platform's clients do:
  Authorization: User <secret>, Organization <secret>
Tenants come from ELEMENTEVENTS_TENANTS, "id:userSecret:orgSecret" separated by
";" (or, with -demo, the tenant "demo" with secrets "demo-user" and "demo-org").
The console signs in with the same two secrets and keeps the sign-in in a
cookie signed with ELEMENTEVENTS_CONSOLE_KEY (hex, 32 bytes or more; without
it a random key is picked at each start, and sessions end at restart).

Flags:
`

// parseFlags reads args. On -h it writes the usage to stdout and returns
// done with code 0; on a bad flag it writes the problem to stderr and
// returns done with code 2.
func parseFlags(args []string, stdout, stderr io.Writer) (opts options, code int, done bool) {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	fs.StringVar(&opts.listen, "listen", ":8080", "`ADDR` to serve on; port 0 picks a free one (logged as msg=listening addr=...)")
	fs.StringVar(&opts.statePath, "state", "elementevents.db",
		"`FILE` of the embedded store (bbolt): instances, event log, outbox, poll state, dedupe, OAuth 2 tokens;\n"+
			"created if missing. Empty keeps everything in memory. With -postgres it keeps this replica's\n"+
			"outbox and dedupe")
	fs.StringVar(&opts.postgres, "postgres", "",
		"PostgreSQL `URL`: instances, poll claims, poll state, OAuth 2 tokens and the event log are kept\n"+
			"there and shared by every replica given the same URL; each interval of each instance is polled by\n"+
			"one of them, and the events API of any replica lists what every replica delivered")
	fs.Func("seed", "create the instance in `FILE` (an /instances body) at start, unless its id exists; repeatable", func(s string) error {
		opts.seeds = append(opts.seeds, s)
		return nil
	})
	fs.StringVar(&opts.seedTenant, "seed-tenant", "default", "`TENANT` that owns the -seed instances")
	fs.BoolVar(&opts.allowPrivate, "allow-private", false,
		"allow vendor and callback URLs on loopback and private addresses (the SSRF guard refuses them by default)")
	fs.StringVar(&opts.publicURL, "public-url", "",
		"public base `URL` where the vendors reach this server (https://hooks.example.com): with it, the\n"+
			"webhook instances' webhooks are registered at the vendor (WooCommerce: one per topic, delivered to\n"+
			"URL/events/{elementKey}/{instanceID}), repaired every refresh interval, and what they missed is polled")
	fs.BoolVar(&opts.demo, "demo", false,
		"serve a fake WooCommerce store at /demo/woocommerce, a receiver at /demo/receiver (and one that\n"+
			"fails at /demo/broken) and the demo tenant; implies -allow-private, and -state \"\" unless -state is given")
	fs.DurationVar(&opts.retention, "retention", engine.DefaultRetention, "how long the event log keeps a notification")
	fs.StringVar(&opts.logFormat, "log-format", "text", "log `FORMAT` on stderr: text or json")
	fs.TextVar(&opts.logLevel, "log-level", slog.LevelInfo, "lowest `LEVEL` logged: debug, info, warn or error")
	fs.StringVar(&opts.metricsListen, "metrics-listen", "",
		"`ADDR` to serve Prometheus metrics on, at /metrics (the otel module's, through the OpenTelemetry\n"+
			"Prometheus exporter), such as 127.0.0.1:9464. Keep it off the public listener: the metrics name\n"+
			"every tenant's callback URLs. Empty: no metrics")
	fs.DurationVar(&opts.shutdownTimeout, "shutdown-timeout", 20*time.Second,
		"how long a shutdown may take; past it the program exits 1 and undelivered notifications stay in the outbox")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usageIntro)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return opts, 0, true
		}
		fmt.Fprintln(stderr, "Run 'server -h' for usage.")
		return opts, 2, true
	}
	var problems []string
	if fs.NArg() > 0 {
		problems = append(problems, "unexpected arguments: "+strings.Join(fs.Args(), " "))
	}
	if opts.logFormat != "text" && opts.logFormat != "json" {
		problems = append(problems, fmt.Sprintf("-log-format %q: want text or json", opts.logFormat))
	}
	if u, err := url.Parse(opts.publicURL); opts.publicURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "") {
		problems = append(problems, fmt.Sprintf("-public-url %q: want an absolute http(s) URL without query", opts.publicURL))
	}
	if opts.seedTenant == "" {
		problems = append(problems, "-seed-tenant: must not be empty")
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "server: %s\nRun 'server -h' for usage.\n", strings.Join(problems, "\n  "))
		return opts, 2, true
	}
	if opts.demo {
		opts.allowPrivate = true
		stateSet := false
		fs.Visit(func(f *flag.Flag) { stateSet = stateSet || f.Name == "state" })
		if !stateSet { // a demo starts afresh every time
			opts.statePath = ""
		}
	}
	return opts, 0, false
}

// newLogger returns the program's logger: text or JSON lines on w, from
// level up.
func newLogger(format string, level slog.Level, w io.Writer) *slog.Logger {
	o := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, o))
	}
	return slog.New(slog.NewTextHandler(w, o))
}
