package riverstore

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/a12b7632/elementevents/netguard"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// Delivery order, as notify.Notifier keeps it: the notifications of one
// instance and object type (their order key) to one endpoint are attempted
// one at a time, in publish order. Every unfinished delivery job with an
// order key has a row in elementevents_delivery_order; the first row of a
// key is its head. Publish inserts the head due as usual, marked with
// turnMeta in its River metadata, and every later job parked (scheduled at
// parkedAt, which River never reaches). When the head settles (delivered
// or dead-lettered, not retried) a transaction deletes its row and makes
// the next job due, marked: for a dead letter, the one that completes its
// job; for a delivery, the settler's, which settles many at once (see
// settle.go) while River completes the job. All of it happens under a
// transaction-scoped advisory lock of (endpoint, order key), so a publish
// and a settle of one key never miss each other.

// parkedAt is the scheduled time of a parked delivery job.
var parkedAt = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// turnKey is the River metadata key that marks a delivery job whose turn it
// is: its worker attempts it without asking the order table.
const turnKey = "elementevents_turn"

var turnMeta = []byte(`{"` + turnKey + `":true}`)

// kindOrderSweep is the River job kind of the periodic sweep that releases
// parked deliveries whose predecessor finished by another path than a
// settle (cancelled, discarded or deleted through River).
const kindOrderSweep = "elementevents_order_sweep"

// orderSweepArgs are the (empty) arguments of the order sweep job.
type orderSweepArgs struct{}

// Kind implements river.JobArgs.
func (orderSweepArgs) Kind() string { return kindOrderSweep }

// orderSweepBatch bounds the keys one sweep repairs; the next sweep goes on.
const orderSweepBatch = 1000

// orderKey is the order key of an instance and object type, the pair
// notify.Notifier keeps in order: the first 16 bytes of the SHA-256 of the
// two, so that any string fits.
func orderKey(instance, objectType string) []byte {
	h := sha256.New()
	h.Write([]byte(instance))
	h.Write([]byte{0})
	h.Write([]byte(objectType))
	return h.Sum(nil)[:16]
}

// orderLock is the advisory lock of an endpoint and order key.
func orderLock(endpoint string, key []byte) int64 {
	h := fnv.New64a()
	h.Write([]byte("elementevents/riverstore/order\x00"))
	h.Write([]byte(endpoint))
	h.Write([]byte{0})
	h.Write(key)
	return int64(h.Sum64())
}

// hasTurn reports whether a job's metadata marks it as its key's head.
func hasTurn(metadata []byte) bool {
	var m struct {
		Turn json.RawMessage `json:"elementevents_turn"` // turnKey
	}
	if json.Unmarshal(metadata, &m) != nil {
		return false
	}
	return string(m.Turn) == "true"
}

// lockKeys takes the advisory locks of endpoint and keys in tx, in one
// order, and returns the keys that already have unfinished deliveries.
func (r *Replica) lockKeys(ctx context.Context, tx pgx.Tx, endpoint string, keys [][]byte) (map[string]bool, error) {
	locks := make([]int64, 0, len(keys))
	for _, k := range keys {
		locks = append(locks, orderLock(endpoint, k))
	}
	slices.Sort(locks)
	locks = slices.Compact(locks)
	b := &pgx.Batch{}
	b.Queue("SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k", locks)
	b.Queue("SELECT DISTINCT order_key FROM "+r.t.order+" WHERE endpoint = $1 AND order_key = ANY($2::bytea[])", endpoint, keys)
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, fmt.Errorf("riverstore: order locks of %s: %w", netguard.RedactURL(endpoint), err)
	}
	rows, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("riverstore: order of %s: %w", netguard.RedactURL(endpoint), err)
	}
	busy, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, fmt.Errorf("riverstore: order of %s: %w", netguard.RedactURL(endpoint), err)
	}
	out := make(map[string]bool, len(busy))
	for _, k := range busy {
		out[string(k)] = true
	}
	return out, br.Close()
}

// appendOrder records jobs (inserted in this order) at the tail of their
// keys, in tx, which holds their locks.
func (r *Replica) appendOrder(ctx context.Context, tx pgx.Tx, endpoint string, keys [][]byte, jobIDs []int64) error {
	if len(jobIDs) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, "INSERT INTO "+r.t.order+" (endpoint, order_key, job_id)"+
		" SELECT $1, k, j FROM unnest($2::bytea[], $3::bigint[]) WITH ORDINALITY AS u(k, j, n) ORDER BY n",
		endpoint, keys, jobIDs)
	if err != nil {
		return fmt.Errorf("riverstore: record order of %d deliveries to %s: %w", len(jobIDs), netguard.RedactURL(endpoint), err)
	}
	return nil
}

// releaseSQL makes a parked (or snoozed, unmarked) job due now and marks
// it as its key's head.
func (r *Replica) releaseSQL(from string) string {
	return "UPDATE " + r.t.job + " AS j SET state = 'available', scheduled_at = now(), metadata = j.metadata || '" + string(turnMeta) + "'::jsonb" +
		" FROM " + from + " WHERE j.id = h.job_id AND j.state = 'scheduled' AND NOT j.metadata ? '" + turnKey + "'"
}

// settle completes a delivered or dead-lettered job in tx: with an order
// key, it takes the key's lock, deletes the job's row and makes the next
// job of the key due, in the same transaction.
func (r *Replica) settle(ctx context.Context, tx pgx.Tx, job *river.Job[deliveryArgs]) error {
	a := job.Args
	if len(a.Order) > 0 {
		// The lock comes first, before the job's row: a publish that holds
		// it may wait for that row (a duplicate insert locks it).
		b := &pgx.Batch{}
		b.Queue("SELECT pg_advisory_xact_lock($1)", orderLock(a.Endpoint, a.Order))
		b.Queue("WITH gone AS (DELETE FROM "+r.t.order+" WHERE job_id = $1),"+
			" h AS (SELECT job_id FROM "+r.t.order+" WHERE endpoint = $2 AND order_key = $3 AND job_id <> $1 ORDER BY seq LIMIT 1) "+
			r.releaseSQL("h"), job.ID, a.Endpoint, a.Order)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("riverstore: settle delivery %s: %w", a.ID, err)
		}
	}
	if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job); err != nil {
		return fmt.Errorf("riverstore: complete delivery %s: %w", a.ID, err)
	}
	return nil
}

// orderState reports whether a job's row of the order is gone (the job
// was settled: delivered or dead-lettered), and whether an earlier
// unfinished job of its key has one: the safety net for a job made due
// by another path than ours (JobRetry, an operator, River's rescue).
func (r *Replica) orderState(ctx context.Context, job *river.Job[deliveryArgs]) (settled, before bool, err error) {
	err = r.pool.QueryRow(ctx, "SELECT NOT EXISTS (SELECT 1 FROM "+r.t.order+" WHERE job_id = $1),"+
		" EXISTS (SELECT 1 FROM "+r.t.order+" o JOIN "+r.t.order+" me ON me.job_id = $1"+
		" AND o.endpoint = me.endpoint AND o.order_key = me.order_key AND o.seq < me.seq)", job.ID).Scan(&settled, &before)
	if err != nil {
		return false, false, fmt.Errorf("riverstore: order of delivery %s: %w", job.Args.ID, err)
	}
	return settled, before, nil
}

// orderSweepWorker repairs the order of keys whose rows point at jobs
// finished by another path (cancelled, discarded, deleted) or whose head
// is parked.
type orderSweepWorker struct {
	river.WorkerDefaults[orderSweepArgs]
	r *Replica
}

func (w *orderSweepWorker) Work(ctx context.Context, _ *river.Job[orderSweepArgs]) error {
	_, err := w.r.SweepOrder(ctx)
	return err
}

// SweepOrder releases the deliveries held back by an earlier one that
// finished without being settled: cancelled, discarded or deleted through
// River, or completed by River when the settle failed. It deletes those
// rows of the order and makes each key's new head due. The leader runs it
// every Config.OrderRecheck; it returns the number of keys repaired (at
// most 1000 a call).
func (r *Replica) SweepOrder(ctx context.Context) (int, error) {
	rows, err := r.pool.Query(ctx, "SELECT o.endpoint, o.order_key FROM "+r.t.order+" o LEFT JOIN "+r.t.job+" j ON j.id = o.job_id"+
		" WHERE j.id IS NULL OR j.state IN ('completed', 'cancelled', 'discarded')"+
		" UNION SELECT h.endpoint, h.order_key FROM (SELECT DISTINCT ON (endpoint, order_key) endpoint, order_key, job_id FROM "+r.t.order+
		" ORDER BY endpoint, order_key, seq) h JOIN "+r.t.job+" j ON j.id = h.job_id"+
		" WHERE j.state = 'scheduled' AND NOT j.metadata ? '"+turnKey+"' LIMIT $1", orderSweepBatch)
	if err != nil {
		return 0, fmt.Errorf("riverstore: sweep order: %w", err)
	}
	type key struct {
		endpoint string
		order    []byte
	}
	keys, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (key, error) {
		var k key
		err := row.Scan(&k.endpoint, &k.order)
		return k, err
	})
	if err != nil {
		return 0, fmt.Errorf("riverstore: sweep order: %w", err)
	}
	for i, k := range keys {
		err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
			b := &pgx.Batch{}
			b.Queue("SELECT pg_advisory_xact_lock($1)", orderLock(k.endpoint, k.order))
			b.Queue("DELETE FROM "+r.t.order+" o WHERE o.endpoint = $1 AND o.order_key = $2 AND NOT EXISTS"+
				" (SELECT 1 FROM "+r.t.job+" j WHERE j.id = o.job_id AND j.state NOT IN ('completed', 'cancelled', 'discarded'))", k.endpoint, k.order)
			b.Queue("WITH h AS (SELECT job_id FROM "+r.t.order+" WHERE endpoint = $1 AND order_key = $2 ORDER BY seq LIMIT 1) "+
				r.releaseSQL("h"), k.endpoint, k.order)
			return tx.SendBatch(ctx, b).Close()
		})
		if err != nil {
			return i, fmt.Errorf("riverstore: sweep order of %s: %w", netguard.RedactURL(k.endpoint), err)
		}
	}
	if len(keys) > 0 {
		r.cfg.Logger.Info("riverstore: released deliveries held back by finished ones", "keys", len(keys))
	}
	return len(keys), nil
}

// periodicOrderSweep is the leader's periodic order sweep.
func (r *Replica) periodicOrderSweep() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(r.cfg.OrderRecheck), func() (river.JobArgs, *river.InsertOpts) {
		return orderSweepArgs{}, &river.InsertOpts{Queue: QueuePoll, MaxAttempts: 1}
	}, nil)
}
