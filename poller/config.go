package poller

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/vendorauth"
)

// DefaultRefreshInterval is the interval between cycles when neither
// Config.Interval nor the instance's event.poller.refresh_interval says.
const DefaultRefreshInterval = vocab.DefaultRefreshInterval

// The defaults of [Config] that its fields document.
const (
	defaultLookback      = 60 * time.Second
	defaultParallelism   = 4
	defaultSnapshotEvery = 4
	// defaultMaxPages: 100,000 records at 100 a page.
	defaultMaxPages = 1000
)

// FirstRun says what the first cycle of a resource (with no saved state)
// reports.
type FirstRun int

// The first-run modes.
const (
	// Baseline records every record silently: only later changes are
	// reported. The default.
	Baseline FirstRun = iota
	// EmitAll reports every record found.
	EmitAll
	// EmitSince reports the records changed after Config.Since.
	EmitSince
)

// Config configures a [Poller]. Zero values are documented defaults.
type Config struct {
	// Instance is the polling instance; required. Its resources, refresh
	// interval and callback details come from its configuration.
	Instance *element.Instance

	// Definition is the element definition. The Poller keeps it and
	// only reads it: pollers of one element may share one, which must not
	// be changed after New. Default: element.Default().Lookup of the
	// instance's element key (a copy of the Poller's own).
	Definition *element.Definition

	// Source fetches pages. Default: an [HTTPSource] for the instance.
	Source Source

	// Guard is the SSRF guard of the default Source: see
	// [HTTPConfig.Guard]. The zero value refuses loopback, private and
	// other non-public addresses. Unused when Source is set.
	Guard netguard.Guard

	// Transport is the round tripper of the default Source: see
	// [HTTPConfig.Transport]. Give many pollers one (not an
	// *http.Transport, which each would clone: Guard.RoundTripper's
	// result, say) so that they share its connections. Default: a new
	// guarded transport per poller. Unused when Source is set.
	Transport http.RoundTripper

	// Sink receives the events, one batch per resource and cycle;
	// required. It is usually a *notify.Notifier.
	Sink events.Sink

	// State remembers what was seen. Default: [NewMemoryState].
	State State

	// Clock drives intervals, jitter and backoff. Default: the real clock.
	Clock clockwork.Clock

	// Logger receives poll logs. Default: slog.Default().
	Logger *slog.Logger

	// Interval between cycle starts. Default: the instance's
	// event.poller.refresh_interval, else 15 minutes. Each wait is
	// jittered by ±10%.
	Interval time.Duration

	// Lookback widens every window backwards, so that records committed
	// late by the vendor are still seen; remembered state keeps the
	// overlap from producing duplicates. It is also the clock skew the
	// window tolerates when the vendor dates its records by a clock behind
	// both its Date header and the local clock; raise it for such a
	// vendor. Default 60 s.
	Lookback time.Duration

	// Parallelism bounds the resources polled at once. Default 4.
	Parallelism int

	// SnapshotEvery makes every Nth cycle of a resource whose URL filters
	// by date a full snapshot, from which DELETED events are derived.
	// Resources whose URL has no date placeholder are snapshots every
	// cycle. Default 4; negative disables snapshots of filtered resources.
	SnapshotEvery int

	// SingleSnapshotDeletes reports a record DELETED as soon as one
	// complete snapshot lacks it. Risky; leave it false unless the vendor's
	// list cannot shift while it is paged (a single page, or cursor
	// pagination over a frozen result). A snapshot can look complete and
	// still skip a record: one record deleted ahead of the cursor and
	// another added behind it keep the count the vendor announced, and a
	// false DELETED is never taken back.
	//
	// Default false: a record is DELETED only when missing from two
	// complete snapshots in a row. A snapshot that finds a record missing
	// is followed by another at the next cycle, even on a resource whose
	// URL filters by date, so a deletion is reported one cycle later.
	SingleSnapshotDeletes bool

	// MaxPages caps the pages one cycle of a resource fetches, so that a
	// vendor whose pagination never ends cannot hold the resource: past
	// the cap the cycle fails with [ErrTooManyPages], publishing nothing.
	// (A next page already fetched in the cycle fails it at once with
	// [ErrPageLoop], whatever the cap.) Default 1,000 pages; raise it
	// for a resource whose snapshots are longer, here or in
	// ResourceMaxPages. Negative is an error.
	MaxPages int

	// ResourceMaxPages sets MaxPages for the resources it names
	// ("customers"); the others keep MaxPages. Each cap must be positive,
	// and each name a resource of the instance.
	ResourceMaxPages map[string]int

	// FirstRun says what a resource's first cycle reports. Default
	// Baseline.
	FirstRun FirstRun
	// Since is the start of the window for FirstRun EmitSince.
	Since time.Time

	// OnCycle, if set, is called after every resource's cycle.
	OnCycle func(Result)
	// StartCycle, if set, is called as each resource's cycle starts, for
	// tracing (the otel module's tracer starts a span here). The context
	// it returns is the cycle's: the cycle's vendor requests and the batch
	// it publishes carry it. end is called with the cycle's Result when
	// the cycle ends, before OnCycle. Both must be fast and must not
	// block; they are called from several goroutines at once.
	StartCycle func(ctx context.Context, resource string) (cycle context.Context, end func(Result))
	// OnAuthError, if set, is called when the vendor refuses the
	// credentials; the resource is stopped until Resume.
	OnAuthError func(resource string, err error)

	// DeleteGuardShare and DeleteGuardCount set the delete guard: when one
	// complete snapshot of a resource would delete more than
	// DeleteGuardShare of its remembered records, and more than
	// DeleteGuardCount records, those deletes are held until
	// DeleteGuardSnapshots more complete snapshots confirm them (see the
	// package doc, and [Poller.ConfirmDeletes]). Defaults 0.5, 20 and 2;
	// a share of 1 turns the guard off. The share must be from 0 to 1,
	// the counts 0 or more.
	DeleteGuardShare     float64
	DeleteGuardCount     int
	DeleteGuardSnapshots int

	// OnDeletesHeld, if set, is called when the delete guard starts
	// holding deletes of a resource, with how many it holds. It runs
	// inside the cycle: calling ConfirmDeletes or DropDeletes from it
	// would wait for the cycle forever; start them elsewhere.
	OnDeletesHeld func(resource string, held int)

	// Tokens keeps the instance's OAuth 2 tokens for the default Source:
	// see [HTTPConfig.Tokens]. Share one durable store between the
	// replicas that poll an instance. Default: a new memory store.
	Tokens vendorauth.TokenStore

	// OnReauthorize, if set, is called once when the vendor refuses the
	// instance's OAuth 2 authorisation (invalid_grant: the refresh token
	// expired, was revoked or was already used). The error matches
	// vendorauth.ErrReauthorize and names the configuration key to set.
	// Every resource is then stopped until Resume, or until a Poller is
	// made with a new refresh token. It must not block.
	OnReauthorize func(err error)

	// NoStatusNotifications turns off the instance status notifications
	// the poller publishes to the Sink: NEEDS_REAUTHORIZATION when the
	// authorisation is refused, DELETES_HELD when the delete guard
	// starts holding, and RECOVERED when either is over. The log lines
	// and hooks remain. Default false: they are published.
	NoStatusNotifications bool

	// recovered is set when the token chain works again after a refusal.
	recovered *atomic.Bool
}

// Result reports one cycle of one resource.
type Result struct {
	Resource string
	// Start is when the cycle started (local clock); Duration how long it
	// took.
	Start    time.Time
	Duration time.Duration
	// Pages and Records count what was fetched.
	Pages, Records int
	// Events counts the events published, by type.
	Events map[events.Type]int
	// Snapshot reports a complete snapshot (DELETED could be derived).
	Snapshot bool
	// Partial reports a cycle whose pages ended before the vendor's
	// announced total or page count (an empty page in the middle, a list
	// that shrank while it was paged). Its events went out and what it
	// saw is remembered, but the window did not move: the next cycle
	// covers the same window again, and a missed record is reported then.
	Partial bool
	// Err is the cycle's error; the state was left as it was.
	Err error
	// Held counts the deletes the delete guard holds after the cycle.
	Held int
}

// withDefaults returns cfg with its zero fields filled as their comments
// say, or an error wrapping [ErrConfig] that names the field at fault.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Instance == nil {
		return cfg, fmt.Errorf("%w: Config.Instance is required", ErrConfig)
	}
	if cfg.Sink == nil {
		return cfg, fmt.Errorf("%w: Config.Sink is required", ErrConfig)
	}
	inst := cfg.Instance
	if cfg.Definition == nil {
		def, ok := element.Default().Lookup(inst.Element.Key)
		if !ok {
			return cfg, fmt.Errorf("%w: no element definition for %q", ErrConfig, inst.Element.Key)
		}
		cfg.Definition = def // a copy of our own
	} else if err := cfg.Definition.Validate(); err != nil {
		return cfg, fmt.Errorf("%w: Config.Definition %s: %w", ErrConfig, cfg.Definition.Key, err)
	}
	cfg.Instance = withDefinitionResources(inst, cfg.Definition)
	inst = cfg.Instance
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.State == nil {
		cfg.State = NewMemoryState()
	}
	ev := inst.Configuration.Events
	if cfg.Interval <= 0 {
		cfg.Interval = cmp.Or(ev.RefreshInterval, DefaultRefreshInterval)
	}
	if cfg.Lookback == 0 {
		cfg.Lookback = defaultLookback
	}
	if cfg.Parallelism <= 0 {
		cfg.Parallelism = defaultParallelism
	}
	if cfg.SnapshotEvery == 0 {
		cfg.SnapshotEvery = defaultSnapshotEvery
	}
	if cfg.MaxPages < 0 {
		return cfg, fmt.Errorf("%w: Config.MaxPages is %d, want a positive cap or 0 for the default", ErrConfig, cfg.MaxPages)
	}
	if cfg.MaxPages == 0 {
		cfg.MaxPages = defaultMaxPages
	}
	if err := cfg.guardDefaults(); err != nil {
		return cfg, err
	}
	if len(ev.Resources) == 0 {
		return cfg, fmt.Errorf("%w: instance %q has no resources to poll (%s)", ErrConfig, inst.ID, vocab.KeyPollerConfiguration)
	}
	cfg.recovered = new(atomic.Bool)
	if cfg.Source == nil {
		recovered := cfg.recovered
		src, err := NewHTTPSource(HTTPConfig{Instance: inst, Definition: cfg.Definition, Guard: cfg.Guard, Transport: cfg.Transport, Clock: cfg.Clock, ownDefinition: true,
			OnAuthError: cfg.OnAuthError, Tokens: cfg.Tokens, logger: cfg.Logger, onRecovered: func() { recovered.Store(true) }})
		if err != nil {
			return cfg, err
		}
		cfg.Source = src
	}
	for name, n := range cfg.ResourceMaxPages {
		if _, ok := ev.Resources[name]; !ok {
			return cfg, fmt.Errorf("%w: Config.ResourceMaxPages[%q]: the instance has no such resource", ErrConfig, name)
		}
		if n <= 0 {
			return cfg, fmt.Errorf("%w: Config.ResourceMaxPages[%q] is %d, want a positive cap", ErrConfig, name, n)
		}
	}
	return cfg, nil
}
