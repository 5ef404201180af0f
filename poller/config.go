package poller

import (
	"log/slog"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
)

// Defaults of [Config].
const (
	DefaultLookback      = 60 * time.Second
	DefaultParallelism   = 4
	DefaultSnapshotEvery = 4
	// DefaultRefreshInterval applies when the instance has none.
	DefaultRefreshInterval = element.DefaultRefreshInterval
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

	// Definition is the element definition. Default:
	// element.Lookup(Instance.Element.Key).
	Definition *element.Definition

	// Source fetches pages. Default: an [HTTPSource] for the instance.
	Source Source

	// Sink receives the events, one batch per resource and cycle;
	// required. It is usually an *events.Notifier.
	Sink events.Sink

	// State remembers what was seen. Default: a new [MemoryState].
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
	// overlap from producing duplicates. Default 60 s.
	Lookback time.Duration

	// Parallelism bounds the resources polled at once. Default 4.
	Parallelism int

	// SnapshotEvery makes every Nth cycle of a resource whose URL filters
	// by date a full snapshot, from which DELETED events are derived.
	// Resources whose URL has no date placeholder are snapshots every
	// cycle. Default 4; negative disables snapshots of filtered resources.
	SnapshotEvery int

	// ConfirmDeletes requires a record to be missing from two complete
	// snapshots in a row before it is reported DELETED.
	ConfirmDeletes bool

	// FirstRun says what a resource's first cycle reports. Default
	// Baseline.
	FirstRun FirstRun
	// Since is the start of the window for FirstRun EmitSince.
	Since time.Time

	// OnCycle, if set, is called after every resource's cycle.
	OnCycle func(Result)
	// OnAuthError, if set, is called when the vendor refuses the
	// credentials; the resource is stopped until Resume.
	OnAuthError func(resource string, err error)
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
	// Err is the cycle's error; the state was left as it was.
	Err error
}
