package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/signature"
)

// options are the parsed command-line flags.
type options struct {
	instances          []string
	listen             string
	statePath          string
	publicURL          string
	allowPrivate       bool
	baseURLs           map[string]string // element key -> vendor API base URL
	signatureTolerance time.Duration
	logFormat          string
	logLevel           slog.Level
	shutdownTimeout    time.Duration
}

// Defaults of the flags that have one worth naming.
const (
	defaultListen          = ":8080"
	defaultShutdownTimeout = 20 * time.Second
)

const usageIntro = `standalone runs element instances for real: it polls the vendors of the
polling instances, receives the vendors' webhooks for the webhook instances,
and delivers every change as a signed notification to each instance's
event.notification.callback.url, with retries.

Usage:
  standalone -instance FILE [-instance FILE ...] [flags]

Examples:
  standalone -instance shop.json -instance hooks.json -listen :8080 -state ./state
  standalone -instance shop.json -log-format json -log-level debug
  # test against a local fake vendor and a local receiver:
  standalone -instance shop.json -base-url woocommercerest=http://127.0.0.1:9000/wp-json/wc/v3 -allow-private

Each FILE is an /instances body: {"element": {"key": ...}, "name": ...,
"configuration": {...}}. The instance id is the body's "id" when it has one,
else the file name without its extension (shop.json is "shop"). Polling
instances poll every event.poller.refresh_interval minutes (default 15;
fractions work, "0.5" is 30 s); the first poll takes a baseline and reports
nothing, every change after it is reported. Webhook instances are served at
POST /events/{elementKey}/{instanceID}; GET /healthz answers 200 while the
program runs.

On SIGINT or SIGTERM it stops accepting webhooks, stops polling, lets the
deliveries in flight finish (up to -shutdown-timeout), saves its state and
exits 0; a second signal exits at once.

Exit status: 0 after a clean shutdown; 1 on a runtime failure (the listen
address is taken, the store cannot be opened, the shutdown timed out); 2 on
bad flags or instance files, reported before anything starts.

Flags:
`

// parseFlags reads args. On -h it writes the usage to stdout and returns
// done with code 0; on a bad flag it writes the problem to stderr and returns
// done with code 2.
func parseFlags(args []string, stdout, stderr io.Writer) (opts options, code int, done bool) {
	fs := newFlagSet(&opts)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // we print the usage ourselves, to stdout, only on -h
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(fs, stdout)
			return opts, 0, true
		}
		// The flag package has already written err to stderr.
		fmt.Fprintln(stderr, "Run 'standalone -h' for usage.")
		return opts, 2, true
	}
	if err := opts.check(fs.Args()); err != nil {
		fmt.Fprintf(stderr, "%v\nRun 'standalone -h' for usage.\n", err)
		return opts, 2, true
	}
	return opts, 0, false
}

func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("standalone", flag.ContinueOnError)
	o.baseURLs = map[string]string{}
	fs.Var((*listFlag)(&o.instances), "instance",
		"run the instance in `FILE`, an /instances JSON body; repeat for several. Required.")
	fs.StringVar(&o.listen, "listen", defaultListen,
		"`ADDR` to serve the webhook instances on, at /events/{elementKey}/{instanceID};\n"+
			"port 0 picks a free port, and the bound address is logged (msg=listening addr=...)")
	fs.StringVar(&o.statePath, "state", "", stateFlagHelp)
	fs.StringVar(&o.publicURL, "public-url", "", publicURLFlagHelp)
	fs.BoolVar(&o.allowPrivate, "allow-private", false,
		"allow vendor and callback URLs on private, loopback and link-local addresses (the SSRF\n"+
			"guard refuses them by default, for polling and delivery); for tests and private deployments")
	fs.Var((*baseURLFlag)(&o.baseURLs), "base-url",
		"with `ELEMENTKEY=URL`, every instance of element ELEMENTKEY is polled at URL instead of\n"+
			"the definition's base URL, for testing against a fake vendor; repeat for several elements")
	fs.DurationVar(&o.signatureTolerance, "signature-tolerance", signature.DefaultTolerance,
		"how far a signed inbound webhook's timestamp may be from now, either way\n"+
			"(schemes with a timestamp, such as Standard Webhooks); 0 means the default, negative disables the check")
	fs.StringVar(&o.logFormat, "log-format", "text", "log `FORMAT` on stderr: text or json")
	fs.TextVar(&o.logLevel, "log-level", slog.LevelInfo, "lowest `LEVEL` logged: debug, info, warn or error")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", defaultShutdownTimeout,
		"how long a shutdown may take, deliveries in flight included; past it the program\n"+
			"exits 1 and unfinished deliveries stay pending in the outbox")
	return fs
}

func printUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprint(w, usageIntro)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// check validates what the flag package cannot.
func (o *options) check(rest []string) error {
	var errs []error
	if len(rest) > 0 {
		errs = append(errs, fmt.Errorf("unexpected argument %q (instance files are given with -instance)", rest[0]))
	}
	if len(o.instances) == 0 {
		errs = append(errs, errors.New("-instance: at least one instance file is required"))
	}
	if strings.TrimSpace(o.listen) == "" {
		errs = append(errs, errors.New("-listen: an address is required, such as :8080"))
	}
	if o.logFormat != "text" && o.logFormat != "json" {
		errs = append(errs, fmt.Errorf("-log-format: %q is neither text nor json", o.logFormat))
	}
	if err := checkPublicURL(o.publicURL); err != nil {
		errs = append(errs, err)
	}
	if o.shutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("-shutdown-timeout: must be positive, got %v", o.shutdownTimeout))
	}
	return errors.Join(errs...)
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("empty file name")
	}
	*l = append(*l, s)
	return nil
}

// baseURLFlag is the repeatable ELEMENTKEY=URL flag.
type baseURLFlag map[string]string

func (b *baseURLFlag) String() string {
	if b == nil {
		return ""
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(*b)) {
		parts = append(parts, k+"="+(*b)[k])
	}
	return strings.Join(parts, ",")
}

func (b *baseURLFlag) Set(s string) error {
	key, raw, ok := strings.Cut(s, "=")
	key = strings.TrimSpace(key)
	switch {
	case !ok || key == "":
		return errors.New("want ELEMENTKEY=URL")
	case (*b)[key] != "":
		return fmt.Errorf("element %q is given twice", key)
	}
	if _, known := element.Default().Lookup(key); !known {
		return fmt.Errorf("element %q is not in the catalogue (known: %s)", key, strings.Join(element.Default().Keys(), ", "))
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("element %q: the URL must be an absolute http(s) URL", key)
	}
	(*b)[key] = strings.TrimRight(u.String(), "/")
	return nil
}
