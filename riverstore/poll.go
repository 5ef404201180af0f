package riverstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendorauth"
)

// kindPoll is the River job kind of one poll of one resource.
const kindPoll = "elementevents_poll"

// pollMaxAttempts lets a poll interrupted by a stopping replica run again
// elsewhere; a poll that fails on the vendor's side is not retried, the
// next interval polls again.
const pollMaxAttempts = 3

// pollArgs are the arguments of a poll job: one cycle of one resource of
// one instance, for one interval. Jobs are unique by all three, so each
// interval of each resource is polled by one job, whichever replica leads
// when it is due and however often the leadership changes.
type pollArgs struct {
	Instance string `json:"instance" river:"unique"`
	Resource string `json:"resource" river:"unique"`
	// Interval numbers the poll interval: Unix time in nanoseconds divided
	// by the interval's length.
	Interval int64 `json:"interval" river:"unique"`
}

// Kind implements river.JobArgs.
func (pollArgs) Kind() string { return kindPoll }

// PollInfo reports one poll job, for Config.OnPoll.
type PollInfo struct {
	Instance, Resource string
	// Interval is the job's pollArgs.Interval.
	Interval int64
	// Due is when River made the job due; Result.Start minus Due is how
	// late the poll started.
	Due time.Time
	// Skipped reports a job that did not poll because a poll of the same
	// resource was still running (on any replica).
	Skipped bool
	// Result is the poller's result; its Err is set when the cycle failed
	// and the state, and the events, were left as they were.
	Result poller.Result
}

// polled is an instance the Replica polls.
type polled struct {
	inst      *element.Instance
	interval  time.Duration
	resources []string
	// source is the instance's HTTPSource, shared by its polls (and
	// their connections kept alive), unless Config.Poller gives one.
	source poller.Source
	// refused is the error of the first poll that found the instance's
	// authorisation refused; the polls after it do not run.
	refused atomic.Pointer[error]
}

// addInstances checks the instances and returns a periodic job for each
// of their resources.
func (r *Replica) addInstances(insts []*element.Instance) ([]*river.PeriodicJob, error) {
	var jobs []*river.PeriodicJob
	for i, inst := range insts {
		if inst == nil || inst.ID == "" {
			return nil, fmt.Errorf("%w: Config.Instances[%d] has no id", ErrConfig, i)
		}
		if _, dup := r.instances[inst.ID]; dup {
			return nil, fmt.Errorf("%w: Config.Instances[%d]: instance id %q given twice", ErrConfig, i, inst.ID)
		}
		ev := inst.Configuration.Events
		p := &polled{inst: inst, resources: slices.Sorted(maps.Keys(ev.Resources))}
		if len(p.resources) == 0 {
			return nil, fmt.Errorf("%w: instance %q has no resources to poll (event.poller.configuration)", ErrConfig, inst.ID)
		}
		pc := r.cfg.Poller(inst)
		p.interval = cmp.Or(pc.Interval, ev.RefreshInterval, poller.DefaultRefreshInterval)
		if pc.Source == nil {
			// The replicas share the instance's OAuth 2 tokens through
			// PostgreSQL, so that a rotated refresh token is used by all
			// and refreshed by one at a time.
			tokens := pc.Tokens
			if tokens == nil {
				tokens = r.tokens
			}
			src, err := poller.NewHTTPSource(poller.HTTPConfig{Instance: inst, Definition: pc.Definition, Guard: pc.Guard, Clock: r.cfg.Clock,
				OnAuthError: pc.OnAuthError, Tokens: tokens})
			if err != nil {
				return nil, fmt.Errorf("riverstore: instance %q: %w", inst.ID, err)
			}
			p.source = src
		}
		for _, res := range p.resources {
			// Fail now, not in every job, on what the poller refuses.
			if _, err := r.newPoller(p, res, events.SinkFunc(func(context.Context, events.Batch) error { return nil }), r.state); err != nil {
				return nil, fmt.Errorf("riverstore: instance %q, resource %q: %w", inst.ID, res, err)
			}
			jobs = append(jobs, r.periodicPoll(p, res))
		}
		r.instances[inst.ID] = p
	}
	return jobs, nil
}

// periodicPoll is the River periodic job of one resource: due once in each
// interval (at a point within its second half that depends on the
// resource, so that resources do not all poll at once), inserted on start
// too, unique by interval.
func (r *Replica) periodicPoll(p *polled, resource string) *river.PeriodicJob {
	iv := int64(p.interval)
	h := fnv.New64a()
	h.Write([]byte(p.inst.ID + "\x00" + resource))
	sched := intervalSchedule{interval: iv, offset: iv/2 + int64(h.Sum64()%uint64(max(iv/4, 1)))}
	return river.NewPeriodicJob(sched, func() (river.JobArgs, *river.InsertOpts) {
		return pollArgs{Instance: p.inst.ID, Resource: resource, Interval: r.cfg.Clock.Now().UnixNano() / iv},
			&river.InsertOpts{Queue: QueuePoll, MaxAttempts: pollMaxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
	}, &river.PeriodicJobOpts{RunOnStart: true})
}

// intervalSchedule is due at offset into every interval of the Unix time
// line. Since the job's interval number is taken when it is inserted, the
// offset (between a half and three quarters of the interval) keeps it
// clear of both ends.
type intervalSchedule struct{ interval, offset int64 }

func (s intervalSchedule) Next(t time.Time) time.Time {
	ns := t.UnixNano()
	next := ns - ns%s.interval + s.offset
	if next <= ns {
		next += s.interval
	}
	return time.Unix(0, next).UTC()
}

// newPoller builds the poller of one resource of p, writing to sink and
// state.
func (r *Replica) newPoller(p *polled, resource string, sink events.Sink, state poller.State) (*poller.Poller, error) {
	cfg := r.cfg.Poller(p.inst)
	narrowed := *p.inst
	narrowed.Configuration.Events.Resources = map[string]element.Resource{resource: p.inst.Configuration.Events.Resources[resource]}
	cfg.Instance = &narrowed
	if cfg.Source == nil {
		cfg.Source = p.source
	}
	cfg.Sink, cfg.State, cfg.Clock = sink, state, r.cfg.Clock
	cfg.Interval = p.interval
	if cfg.Logger == nil {
		cfg.Logger = r.cfg.Logger
	}
	return poller.New(cfg)
}

// pollWorker runs one poll job.
type pollWorker struct {
	river.WorkerDefaults[pollArgs]
	r *Replica
}

// Timeout lets a poll take as long as it needs: a long baseline must be
// able to finish, and the advisory lock keeps the next interval's poll
// from overlapping it.
func (w *pollWorker) Timeout(*river.Job[pollArgs]) time.Duration { return -1 }

// Work polls the resource once, in one transaction on one connection: it
// takes the resource's advisory lock, fetches, publishes the cycle's
// events, commits the poller state and completes the job. A poll that
// fails or is interrupted leaves no trace, and one that succeeds leaves
// all of it. While a poll of the previous interval still holds the lock,
// the job waits for it (snoozed, so holding no worker); one that has
// waited a whole interval gives up, since the next interval's job polls in
// its place.
func (w *pollWorker) Work(ctx context.Context, job *river.Job[pollArgs]) error {
	r := w.r
	a := job.Args
	p, ok := r.instances[a.Instance]
	if !ok || !slices.Contains(p.resources, a.Resource) {
		r.cfg.Logger.Warn("riverstore: poll job for an instance or resource this replica does not poll; skipped", "instance", a.Instance, "resource", a.Resource)
		return nil
	}
	info := PollInfo{Instance: a.Instance, Resource: a.Resource, Interval: a.Interval, Due: job.ScheduledAt}
	report := func() {
		if r.cfg.OnPoll != nil {
			r.cfg.OnPoll(info)
		}
	}
	if refused := p.refused.Load(); refused != nil {
		// The vendor refused the instance's authorisation: a poll that
		// found it logged it, called OnReauthorize and published the
		// status. The instances of a Replica are fixed, so only a new
		// Replica, with a new refresh token, polls the instance again.
		info.Result = poller.Result{Resource: a.Resource, Err: *refused}
		report()
		return nil
	}

	conn, err := r.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("riverstore: poll %q/%q: %w", a.Instance, a.Resource, err)
	}
	defer conn.Release()
	// No snapshot is held between statements (READ COMMITTED), so the
	// transaction open during the fetch holds nothing back but the lock.
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("riverstore: poll %q/%q: %w", a.Instance, a.Resource, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }() // after Commit, a no-op
	var locked bool
	if err := tx.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock($1)", r.pollLock(a.Instance, a.Resource)).Scan(&locked); err != nil {
		return fmt.Errorf("riverstore: poll %q/%q: lock: %w", a.Instance, a.Resource, err)
	}
	if !locked {
		now := r.cfg.Clock.Now()
		since, waiting := waitingSince(job.JobRow)
		if !waiting {
			if err := river.MetadataSet(ctx, metaWaitingSince, now.UnixNano()); err != nil {
				return err
			}
		} else if now.Sub(since) >= p.interval {
			info.Skipped = true
			r.cfg.Logger.Warn("riverstore: waited a whole interval for the previous poll to end; this one is skipped", "instance", a.Instance, "resource", a.Resource)
			report()
			return nil
		}
		return river.JobSnooze(min(max(p.interval/20, 10*time.Millisecond), 5*time.Second))
	}

	pl, err := r.newPoller(p, a.Resource, txSink{r: r, tx: tx}, txState{s: r.state, tx: tx})
	if err != nil {
		return river.JobCancel(err) // the configuration cannot poll
	}
	info.Result = pl.Poll(ctx)[0]
	if err := info.Result.Err; errors.Is(err, vendorauth.ErrReauthorize) {
		p.refused.CompareAndSwap(nil, &err)
	}
	if err := info.Result.Err; err != nil {
		if ctx.Err() != nil {
			return err // interrupted: River runs the job again
		}
		report()
		return nil // the next interval polls again
	}
	if _, err = river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job); err == nil {
		err = tx.Commit(ctx)
	}
	if err != nil {
		info.Result.Err = fmt.Errorf("riverstore: poll %q/%q: commit: %w", a.Instance, a.Resource, err)
		if ctx.Err() == nil {
			report() // not when interrupted: then it is done again, and reported then
		}
		return info.Result.Err // River runs the job again
	}
	report()
	return nil
}

// metaWaitingSince is the job metadata key where a poll job notes when it
// first found the previous poll still running, in Unix nanoseconds.
const metaWaitingSince = "elementevents_waiting_since"

func waitingSince(job *rivertype.JobRow) (time.Time, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(job.Metadata, &m) != nil {
		return time.Time{}, false
	}
	var ns int64
	if json.Unmarshal(m[metaWaitingSince], &ns) != nil {
		return time.Time{}, false
	}
	return time.Unix(0, ns), true
}

// pollLock is the advisory lock key of one resource's polls.
func (r *Replica) pollLock(instance, resource string) int64 {
	h := fnv.New64a()
	h.Write([]byte("elementevents/riverstore/poll\x00" + r.cfg.Schema + "\x00" + instance + "\x00" + resource))
	return int64(h.Sum64())
}

// txSink publishes in the poll's transaction.
type txSink struct {
	r  *Replica
	tx pgx.Tx
}

// Publish puts events in the poll's transaction, committed with the
// poller state or not at all. An instance status is published in a
// transaction of its own: it reports on the instance, such as a refused
// authorisation, after which the poll's transaction is rolled back.
func (s txSink) Publish(ctx context.Context, batch events.Batch) error {
	if batch.Status != nil {
		return s.r.Publish(ctx, batch)
	}
	return s.r.PublishTx(ctx, s.tx, batch)
}

// txState loads from the store and commits in the poll's transaction.
type txState struct {
	s  *State
	tx pgx.Tx
}

func (s txState) Load(ctx context.Context, key poller.StateKey) (*poller.ResourceState, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	return s.s.load(ctx, s.tx, key)
}

func (s txState) Commit(ctx context.Context, key poller.StateKey, c poller.Change) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := s.s.commitTx(ctx, s.tx, key, c); err != nil {
		return fmt.Errorf("riverstore: commit poller state of %s: %w", keyString(key), err)
	}
	return nil
}
