package riverstore

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// Settling delivered jobs. A delivered job with an order key is settled:
// its row of the order deleted and the first delivery waiting behind it
// made its key's head (inserted into River, whose producers are woken to
// fetch it), in one transaction under the key's lock. A transaction for
// each job made the database, not the HTTP attempt, the bound of a
// replica's deliveries, so a running Replica settles them many at a time,
// as River completes its jobs: Work hands the delivered job to the
// settler and returns, freeing its worker for the next job at once, and
// the settler's one goroutine settles whatever was handed over while its
// last transaction ran, in the next. River completes the jobs, in its own
// batches.
//
// Each guarantee holds whichever of the two commits first or fails. If
// the settler's transaction fails, or the process stops before it
// commits, River completes the job (or rescues it, below): the leader's
// order sweep then releases the next one, as for any head finished
// through River. If the process stops after the settle but before River
// recorded the job, River rescues the job and runs it again; its row is
// gone, so it completes without an attempt (orderState): it was
// delivered, and the ones behind it may have been since. A job neither
// recorded is rescued and delivered again, still its key's head: at
// least once, in order.

// maxSettleBatch bounds the jobs one settling transaction takes.
const maxSettleBatch = 500

// settleItem is a delivered job to settle.
type settleItem struct {
	jobID    int64
	endpoint string
	order    []byte
	id       string // the notification's id, for errors
}

func settleItemOf(job *river.Job[deliveryArgs]) settleItem {
	return settleItem{jobID: job.ID, endpoint: job.Args.Endpoint, order: job.Args.Order, id: job.Args.ID}
}

// settler settles the delivered jobs of a running Replica in batches. Its
// goroutine is started by Replica.Start and stopped by Stop (after River
// stopped, so that every job handed over is settled) or by the end of
// Start's context.
type settler struct {
	r *Replica

	mu      sync.Mutex
	pending []settleItem
	open    bool          // a run loop takes items
	wake    chan struct{} // one wake-up is enough: the loop takes all
	stop    chan struct{} // closed by close, per run
	done    chan struct{} // closed when the run loop has returned, per run
}

func newSettler(r *Replica) *settler {
	return &settler{r: r, wake: make(chan struct{}, 1)}
}

// start starts the run loop, unless it runs. It ends when close is called
// or ctx ends, after settling what it holds.
func (s *settler) start(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open {
		return
	}
	s.open = true
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go s.run(ctx, s.stop, s.done)
}

// add hands a delivered job over, and reports false when no run loop
// takes it: the caller settles it itself.
func (s *settler) add(it settleItem) bool {
	s.mu.Lock()
	if !s.open {
		s.mu.Unlock()
		return false
	}
	s.pending = append(s.pending, it)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true
}

// close stops the run loop, which settles what it holds first, and waits
// for it until ctx ends.
func (s *settler) close(ctx context.Context) error {
	s.mu.Lock()
	stop, done := s.stop, s.done
	if s.open {
		s.open = false
		close(stop)
	}
	s.mu.Unlock()
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("riverstore: settle delivered jobs: %w", ctx.Err())
	}
}

func (s *settler) run(ctx context.Context, stop, done chan struct{}) {
	defer close(done)
	// What was handed over is settled even when the replica stops
	// meanwhile, as River's completer completes its last batch: a settle
	// is not cut short.
	rec := context.WithoutCancel(ctx)
	for {
		select {
		case <-s.wake:
			s.flush(rec)
		case <-stop:
			s.flush(rec)
			return
		case <-ctx.Done():
			s.mu.Lock()
			s.open = false // later jobs are settled by their workers
			s.mu.Unlock()
			s.flush(rec)
			return
		}
	}
}

// flush settles every job handed over, a batch at a time.
func (s *settler) flush(ctx context.Context) {
	for {
		s.mu.Lock()
		n := min(len(s.pending), maxSettleBatch)
		batch := slices.Clone(s.pending[:n])
		s.pending = slices.Delete(s.pending, 0, n)
		s.mu.Unlock()
		if n == 0 {
			return
		}
		err := s.r.settleDelivered(ctx, batch)
		if err != nil {
			// Once more: a deadlock or a dropped connection passes.
			err = s.r.settleDelivered(ctx, batch)
		}
		if err != nil {
			// River completes the jobs; the order sweep releases the
			// next ones.
			s.r.cfg.Logger.Error("riverstore: could not release the next deliveries in order, the order sweep will", "deliveries", len(batch), "err", err)
		}
	}
}

// deliverQueueWake is the payload of River's insert notification (topic
// river_insert, which every River client listens to unless it polls
// only) for the delivery queue: it makes their producers fetch at once.
// River's InsertManyTx sends it at most once per FetchCooldown per
// queue, so the released jobs of a settle that follows another closely
// would otherwise be seen only at the next fetch, up to
// FetchPollInterval later when the workers are idle. The topic is
// River's: its schema, or else the search_path's, as River's listener
// names it.
var deliverQueueWake = `{"queue": "` + QueueDeliver + `"}`

// genericPlans makes the statements after it in its transaction run on
// their prepared statement's generic plan: the settling statement's
// plan does not depend on its arrays, and planning it afresh for each
// batch, as PostgreSQL otherwise does, costs about as much as running it.
const genericPlans = "set_config('plan_cache_mode', 'force_generic_plan', true)"

// settleDelivered settles delivered jobs in one transaction: it takes
// their keys' locks (in one order, as Publish does), deletes the jobs'
// rows and makes the next delivery waiting of each key its head
// (releaseNext), waking River's producers of the delivery queue. It
// leaves the jobs to River's completer: completing them here would update
// the rows River's completer updates, many at a time in an order of its
// own, and could deadlock with it.
func (r *Replica) settleDelivered(ctx context.Context, items []settleItem) error {
	ids := make([]int64, len(items))
	keys := make([]keyRef, 0, len(items))
	locks := make([]int64, len(items))
	seen := make(map[string]bool, len(items))
	for i, it := range items {
		ids[i] = it.jobID
		locks[i] = orderLock(it.endpoint, it.order)
		if k := it.endpoint + "\x00" + string(it.order); !seen[k] {
			seen[k] = true
			keys = append(keys, keyRef{it.endpoint, it.order})
		}
	}
	slices.Sort(locks)
	locks = slices.Compact(locks)
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		// The locks come first, before any job's row: a publish that holds
		// one may wait for such a row (a duplicate insert locks it).
		b.Queue("SELECT "+genericPlans+" FROM (SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k) AS l", locks)
		b.Queue("DELETE FROM "+r.t.order+" WHERE job_id = ANY($1)", ids)
		return r.releaseNext(ctx, tx, keys, b)
	})
	if err != nil {
		if len(items) == 1 {
			return fmt.Errorf("riverstore: settle delivery %s: %w", items[0].id, err)
		}
		return fmt.Errorf("riverstore: settle %d deliveries (%s, ...): %w", len(items), items[0].id, err)
	}
	return nil
}
