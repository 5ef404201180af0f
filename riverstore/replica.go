package riverstore

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jonboulle/clockwork"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendorauth"
)

// The River queues the Replica works.
const (
	QueueDeliver = "elementevents_deliver"
	QueuePoll    = "elementevents_poll"
)

// Defaults of [Config], as its fields document them.
const (
	defaultWorkers         = 16
	defaultPollWorkers     = 4
	defaultDisabledRecheck = time.Minute
	defaultBusySnooze      = time.Second
	defaultOrderRecheck    = time.Minute

	// defaultIdlePerHost is the idle connections per host the guard's
	// default transport keeps, the least the Replica's keeps.
	defaultIdlePerHost = 10

	// defaultConcurrency is the Notifier's default too.
	defaultConcurrency = 4
)

// Config configures a [Replica]. Only Pool is required; every other field
// documents its default. Every replica of a deployment must be given the
// same Instances and delivery rules.
type Config struct {
	// Pool is the database, migrated with [Migrate]. Required. It needs a
	// connection per delivery and poll worker, plus a few for River (its
	// listener and maintenance) and one for the settler of delivered
	// jobs.
	Pool *pgxpool.Pool

	// Schema holds River's tables and the store's. Default: the
	// connection's search_path.
	Schema string

	// ID names the replica among River's clients; it must be unique among
	// the running replicas. Default: River's (host name and a time).
	ID string

	// Clock stamps signatures and dead letters and tells which poll
	// interval a poll job belongs to. River schedules on the real clock,
	// so this one must agree with it. Default: the real clock.
	Clock clockwork.Clock

	// Logger receives the Replica's logs and, unless River.Logger is set,
	// River's. Keys and bodies are never logged. Default: slog.Default().
	Logger *slog.Logger

	// River is the base River configuration (fetch intervals, retention,
	// extra queues and workers of the host's own jobs). The Replica adds
	// its queues, workers and periodic jobs to a copy of it and sets its
	// Schema and ID. Default: River's defaults.
	River *river.Config

	// Policy decides how notifications are cut, sent and retried, as
	// notify.Config.Policy does for the Notifier: client, SSRF guard (by
	// default every non-public address is refused; the poller's guard is
	// poller.Config.Guard, from Config.Poller), timeout, schedule (its
	// length is River's MaxAttempts), jitter, Retry-After bounds, batch
	// sizes. Each of its fields documents its default, but for Client:
	// the Replica's default client keeps an idle connection per attempt
	// in flight to an endpoint (the lesser of Workers and Concurrency, at
	// least 10, the guard's default), so that deliveries reuse their
	// connections. A Client you give keeps its transport's
	// MaxIdleConnsPerHost: set it to Concurrency or more.
	Policy notify.DeliveryPolicy

	// Workers is the number of deliveries this replica attempts at once.
	// Default 16.
	Workers int

	// Concurrency is the number of attempts in flight per endpoint on this
	// replica; a delivery over the limit is put back for BusySnooze, so a
	// slow endpoint never holds every worker. Default 4, as
	// notify.Config.Concurrency.
	Concurrency int

	// BusySnooze is how long a delivery waits when its endpoint is at its
	// Concurrency limit. Default one second.
	BusySnooze time.Duration

	// DisabledRecheck is how often a delivery to a disabled endpoint
	// looks again whether the endpoint was enabled (Enable also wakes them
	// at once). Default one minute.
	DisabledRecheck time.Duration

	// OrderRecheck is how often the leader sweeps the delivery order for
	// deliveries held back by an earlier one that finished by another path
	// than a delivery or a dead letter (cancelled, discarded or deleted
	// through River), and how long a delivery made due out of its turn
	// waits before it looks again. Default one minute.
	OrderRecheck time.Duration

	// OnAttempt, if set, is called after every attempt made by this
	// replica.
	OnAttempt func(notify.AttemptInfo)
	// OnExhausted, if set, is called when this replica dead-letters a
	// notification, after its last attempt or a permanent failure. The
	// Delivery's Key is not set.
	OnExhausted func(notify.Delivery)
	// OnDisabled, if set, is called when this replica disables an endpoint
	// (it answered 410 Gone).
	OnDisabled func(endpoint, reason string)

	// Instances are the polling instances. Each resource of each gets a
	// River periodic job, so that exactly one replica polls it in each
	// interval. Instance ids must be unique.
	Instances []*element.Instance

	// Poller returns the poller configuration of an instance: its Source,
	// Interval, Lookback, FirstRun, Tokens and so on. The Replica sets
	// Instance (narrowed to the polled resource), Sink, State, Clock and,
	// if nil, Logger. Default: the zero poller.Config. A nil Tokens is
	// the PostgreSQL store of [NewTokenStore] on Pool and Schema, so that
	// the replicas share each instance's rotating refresh token and
	// refresh it one at a time.
	Poller func(inst *element.Instance) poller.Config

	// PollWorkers is the number of polls this replica runs at once.
	// Default 4.
	PollWorkers int

	// OnPoll, if set, is called after every poll job this replica ran.
	OnPoll func(PollInfo)
}

// Replica runs the poller and the Notifier on River: it is one of any
// number of processes sharing a PostgreSQL database. See the package
// documentation.
type Replica struct {
	cfg       Config
	pool      *pgxpool.Pool
	t         tables
	client    *river.Client[pgx.Tx]
	state     *State
	tokens    vendorauth.TokenStore // the instances' OAuth 2 tokens, unless Config.Poller gives a store
	instances map[string]*polled    // by instance id
	maxEvents map[events.Origin]int

	mu       sync.Mutex
	inflight map[string]int    // attempts in flight per endpoint
	keys     map[string][]byte // signing keys, by key id
	sender   *notify.Sender
	settler  *settler

	statusMu sync.Mutex
	disabled map[string]bool // endpoints disabled, read at statusAt
	statusAt time.Time
}

// New returns a Replica for cfg. Start it to work jobs; without Start it
// only publishes (an insert-only replica, for a web process).
func New(cfg Config) (*Replica, error) {
	if cfg.Pool == nil {
		return nil, fmt.Errorf("%w: Config.Pool is required", ErrConfig)
	}
	cfg = cfg.withDefaults()
	if cfg.Policy.Client == nil {
		cfg.Policy.Client = &http.Client{Transport: deliveryTransport(min(cfg.Workers, cfg.Concurrency))}
	}
	sender, err := notify.NewSender(cfg.Policy, cfg.Clock)
	if err != nil {
		return nil, fmt.Errorf("%w: Config.Policy: %w", ErrConfig, err)
	}
	cfg.Policy = sender.Policy()
	r := &Replica{
		cfg:       cfg,
		pool:      cfg.Pool,
		t:         newTables(cfg.Schema),
		state:     &State{pool: cfg.Pool, t: newTables(cfg.Schema)},
		tokens:    &tokenStore{pool: cfg.Pool, t: newTables(cfg.Schema), schema: cfg.Schema},
		instances: make(map[string]*polled),
		maxEvents: map[events.Origin]int{events.FromPolling: cfg.Policy.PollingBatchSize, events.FromWebhook: cfg.Policy.WebhookBatchSize},
		inflight:  make(map[string]int),
		keys:      make(map[string][]byte),
		sender:    sender,
	}
	r.settler = newSettler(r)

	var rc river.Config
	if cfg.River != nil {
		rc = *cfg.River
	}
	rc.Schema = cfg.Schema
	if cfg.ID != "" {
		rc.ID = cfg.ID
	}
	if rc.Logger == nil {
		rc.Logger = cfg.Logger
	}
	if rc.Workers == nil {
		rc.Workers = river.NewWorkers()
	}
	if err := river.AddWorkerSafely(rc.Workers, &deliverWorker{r: r}); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if err := river.AddWorkerSafely(rc.Workers, &pollWorker{r: r}); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if err := river.AddWorkerSafely(rc.Workers, &orderSweepWorker{r: r}); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	queues := make(map[string]river.QueueConfig, len(rc.Queues)+2)
	for name, q := range rc.Queues {
		queues[name] = q
	}
	queues[QueueDeliver] = mergeQueue(queues[QueueDeliver], cfg.Workers)
	queues[QueuePoll] = mergeQueue(queues[QueuePoll], cfg.PollWorkers)
	rc.Queues = queues

	periodic, err := r.addInstances(cfg.Instances)
	if err != nil {
		return nil, err
	}
	periodic = append(periodic, r.periodicOrderSweep())
	rc.PeriodicJobs = append(append([]*river.PeriodicJob(nil), rc.PeriodicJobs...), periodic...)

	client, err := river.NewClient(riverpgxv5.New(cfg.Pool), &rc)
	if err != nil {
		return nil, fmt.Errorf("%w: River client: %w", ErrConfig, err)
	}
	r.client = client
	return r, nil
}

// deliveryTransport is the transport of the default delivery client:
// Go's defaults (which the guard's default transport has too) but for
// the idle connections it keeps per host, one for each attempt in flight
// to an endpoint, so that busy deliveries reuse their connections instead
// of dialing a new one for most attempts. The guard dials its
// connections.
func deliveryTransport(perHost int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(perHost, t.MaxIdleConnsPerHost, defaultIdlePerHost)
	t.MaxIdleConns = max(t.MaxIdleConns, t.MaxIdleConnsPerHost)
	return t
}

func mergeQueue(q river.QueueConfig, workers int) river.QueueConfig {
	if q.MaxWorkers == 0 {
		q.MaxWorkers = workers
	}
	return q
}

func (c Config) withDefaults() Config {
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Workers <= 0 {
		c.Workers = defaultWorkers
	}
	if c.Concurrency <= 0 {
		c.Concurrency = defaultConcurrency
	}
	if c.BusySnooze <= 0 {
		c.BusySnooze = defaultBusySnooze
	}
	if c.DisabledRecheck <= 0 {
		c.DisabledRecheck = defaultDisabledRecheck
	}
	if c.OrderRecheck <= 0 {
		c.OrderRecheck = defaultOrderRecheck
	}
	if c.PollWorkers <= 0 {
		c.PollWorkers = defaultPollWorkers
	}
	if c.Poller == nil {
		c.Poller = func(*element.Instance) poller.Config { return poller.Config{} }
	}
	return c
}

// Start starts working delivery and poll jobs until ctx ends or Stop is
// called; it returns once River has started. One replica at a time leads
// River: it enqueues the periodic poll jobs and runs River's maintenance.
func (r *Replica) Start(ctx context.Context) error {
	r.settler.start(ctx)
	if err := r.client.Start(ctx); err != nil {
		_ = r.settler.close(ctx)
		return fmt.Errorf("riverstore: start: %w", err)
	}
	return nil
}

// Stop stops fetching jobs and waits for the ones running to finish (or
// ctx to end). Notifications and polls not done are left for the other
// replicas, or for the next Start.
func (r *Replica) Stop(ctx context.Context) error {
	if err := r.client.Stop(ctx); err != nil {
		// The settler stops too: it settles what it holds on its own.
		_ = r.settler.close(ctx)
		return fmt.Errorf("riverstore: stop: %w", err)
	}
	return r.settler.close(ctx)
}

// StopAndCancel stops like Stop but cancels the running jobs at once, as
// a process killed mid-work would leave them: their deliveries are
// attempted again, their polls done again, elsewhere.
func (r *Replica) StopAndCancel(ctx context.Context) error {
	if err := r.client.StopAndCancel(ctx); err != nil {
		_ = r.settler.close(ctx)
		return fmt.Errorf("riverstore: stop: %w", err)
	}
	return r.settler.close(ctx)
}

// Client returns the River client, to insert the host's own jobs in the
// same transactions, subscribe to events, or inspect jobs.
func (r *Replica) Client() *river.Client[pgx.Tx] { return r.client }

// State returns the poller state the Replica's polls use.
func (r *Replica) State() *State { return r.state }
