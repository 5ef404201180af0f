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
// one at a time, in publish order. A key's head, the one whose turn it
// is, is a River job, marked with turnMeta in its metadata, with a row in
// elementevents_delivery_order; the ones behind it wait in
// elementevents_delivery_wait, not in River, with what their job will
// carry. When the head settles (delivered or dead-lettered, not retried)
// a transaction deletes its row and makes the first one waiting the head:
// deletes its waiting row, inserts its job into River and records it in
// the order (releaseNext). For a dead letter, that is the transaction
// that completes its job; for a delivery, the settler's, which settles
// many at once (see settle.go) while River completes the job. All of it
// happens under a transaction-scoped advisory lock of (endpoint, order
// key), so a publish and a settle of one key never miss each other. A
// waiting notification costs one River insert, when its turn comes, as an
// unordered one does at publish.
//
// Versions before migration 7 parked the jobs behind a head in River
// (scheduled at parkedAt); the migration moves them to the wait, and the
// order sweep releases one an older replica parked since.

// parkedAt is the scheduled time of a delivery job parked in River by a
// version before migration 7.
var parkedAt = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// turnKey is the River metadata key that marks a delivery job whose turn it
// is: its worker attempts it without asking the order table.
const turnKey = "elementevents_turn"

var turnMeta = []byte(`{"` + turnKey + `":true}`)

// kindOrderSweep is the River job kind of the periodic sweep that releases
// waiting deliveries whose predecessor finished by another path than a
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

// appendWait puts deliveries (of one endpoint, in this order) at the tail
// of their keys among those waiting their turn, in tx, which holds their
// locks; one whose id is waiting already is skipped.
func (r *Replica) appendWait(ctx context.Context, tx pgx.Tx, waiting []deliveryArgs) error {
	if len(waiting) == 0 {
		return nil
	}
	var (
		endpoints, ids []string
		keys, keyIDs   [][]byte
		bodies         [][]byte
		counts         []int32
	)
	for _, a := range waiting {
		endpoints = append(endpoints, a.Endpoint)
		keys = append(keys, a.Order)
		ids = append(ids, a.ID)
		keyIDs = append(keyIDs, a.KeyID)
		bodies = append(bodies, a.Body)
		counts = append(counts, int32(a.Events))
	}
	_, err := tx.Exec(ctx, "INSERT INTO "+r.t.wait+" (endpoint, order_key, id, key_id, body, events)"+
		" SELECT e, k, i, nullif(kid, ''::bytea), b, n FROM unnest($1::text[], $2::bytea[], $3::text[], $4::bytea[], $5::bytea[], $6::integer[])"+
		" WITH ORDINALITY AS u(e, k, i, kid, b, n, o) ORDER BY o ON CONFLICT (id) DO NOTHING",
		endpoints, keys, ids, keyIDs, bodies, counts)
	if err != nil {
		return fmt.Errorf("riverstore: record %d deliveries waiting their turn at %s: %w", len(waiting), netguard.RedactURL(waiting[0].Endpoint), err)
	}
	return nil
}

// keyRef is an endpoint and one of its order keys.
type keyRef struct {
	endpoint string
	order    []byte
}

// releaseNext makes the first delivery waiting for each of keys that has
// no job left in the order its key's head: it deletes its waiting row,
// inserts it into River, marked, and records it in the order, and wakes
// River's producers of the delivery queue. A delivery whose id River
// still holds is dropped, and the next one takes its place. tx holds the
// keys' locks; the statements of pre, if not nil, are sent first, in the
// same round trip.
func (r *Replica) releaseNext(ctx context.Context, tx pgx.Tx, keys []keyRef, pre *pgx.Batch) error {
	b := pre
	if b == nil {
		b = &pgx.Batch{}
	}
	for len(keys) > 0 {
		before := b.Len()
		endpoints := make([]string, len(keys))
		orders := make([][]byte, len(keys))
		for i, k := range keys {
			endpoints[i], orders[i] = k.endpoint, k.order
		}
		b.Queue("WITH k AS (SELECT DISTINCT endpoint, order_key FROM unnest($1::text[], $2::bytea[]) AS k(endpoint, order_key)),"+
			// Materialized, so that each key's first waiting row is read
			// once, by index, and deleted by its primary key.
			" n AS MATERIALIZED (SELECT k.endpoint, k.order_key, w.seq FROM k CROSS JOIN LATERAL"+
			" (SELECT seq FROM "+r.t.wait+" w WHERE w.endpoint = k.endpoint AND w.order_key = k.order_key"+
			" AND NOT EXISTS (SELECT 1 FROM "+r.t.order+" o WHERE o.endpoint = k.endpoint AND o.order_key = k.order_key)"+
			" ORDER BY seq LIMIT 1) w)"+
			" DELETE FROM "+r.t.wait+" w USING n WHERE w.endpoint = n.endpoint AND w.order_key = n.order_key AND w.seq = n.seq"+
			" RETURNING w.endpoint, w.order_key, w.id, w.key_id, w.body, w.events", endpoints, orders)
		next, err := func() ([]deliveryArgs, error) {
			br := tx.SendBatch(ctx, b)
			defer br.Close()
			for range before {
				if _, err := br.Exec(); err != nil {
					return nil, err
				}
			}
			rows, err := br.Query()
			if err != nil {
				return nil, err
			}
			next, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (deliveryArgs, error) {
				var a deliveryArgs
				err := row.Scan(&a.Endpoint, &a.Order, &a.ID, &a.KeyID, &a.Body, &a.Events)
				return a, err
			})
			if err != nil {
				return nil, err
			}
			return next, br.Close()
		}()
		if err != nil {
			return fmt.Errorf("riverstore: take the next deliveries of %d order keys: %w", len(keys), err)
		}
		b = &pgx.Batch{}
		if len(next) == 0 {
			return nil
		}
		params := make([]river.InsertManyParams, len(next))
		for i, a := range next {
			opts := r.deliveryOpts()
			opts.ScheduledAt = time.Time{} // its turn is now
			opts.Metadata = turnMeta
			params[i] = river.InsertManyParams{Args: a, InsertOpts: opts}
		}
		res, err := r.client.InsertManyTx(ctx, tx, params)
		if err != nil {
			return fmt.Errorf("riverstore: insert the next deliveries of %d order keys: %w", len(next), err)
		}
		keys = nil
		var (
			ins    []string
			insKey [][]byte
			jobIDs []int64
		)
		for i, res := range res {
			if res.UniqueSkippedAsDuplicate {
				keys = append(keys, keyRef{next[i].Endpoint, next[i].Order})
				continue
			}
			ins = append(ins, next[i].Endpoint)
			insKey = append(insKey, next[i].Order)
			jobIDs = append(jobIDs, res.Job.ID)
		}
		if len(jobIDs) == 0 {
			continue
		}
		ob := &pgx.Batch{}
		ob.Queue("INSERT INTO "+r.t.order+" (endpoint, order_key, job_id) SELECT * FROM unnest($1::text[], $2::bytea[], $3::bigint[])", ins, insKey, jobIDs)
		// River notifies at most once per FetchCooldown per queue: this
		// one is for the producers that fetched since.
		ob.Queue("SELECT pg_notify(coalesce(nullif($1, '') || '.', current_schema() || '.', '') || 'river_insert', $2)", r.cfg.Schema, deliverQueueWake)
		if err := tx.SendBatch(ctx, ob).Close(); err != nil {
			return fmt.Errorf("riverstore: record order of %d deliveries: %w", len(jobIDs), err)
		}
	}
	return nil
}

// releaseSQL makes a job parked in River by an older version (or snoozed,
// unmarked) due now and marks it as its key's head.
func (r *Replica) releaseSQL(from string) string {
	return "UPDATE " + r.t.job + " AS j SET state = 'available', scheduled_at = now(), metadata = j.metadata || '" + string(turnMeta) + "'::jsonb" +
		" FROM " + from + " WHERE j.id = h.job_id AND j.state = 'scheduled' AND NOT j.metadata ? '" + turnKey + "'"
}

// settle completes a delivered or dead-lettered job in tx: with an order
// key, it takes the key's lock, deletes the job's row and makes the next
// delivery of the key its head, in the same transaction.
func (r *Replica) settle(ctx context.Context, tx pgx.Tx, job *river.Job[deliveryArgs]) error {
	a := job.Args
	if len(a.Order) > 0 {
		// The lock comes first, before the job's row: a publish that holds
		// it may wait for that row (a duplicate insert locks it).
		b := &pgx.Batch{}
		b.Queue("SELECT pg_advisory_xact_lock($1)", orderLock(a.Endpoint, a.Order))
		b.Queue("DELETE FROM "+r.t.order+" WHERE job_id = $1", job.ID)
		// A job parked in River by an earlier version, behind this one.
		b.Queue("WITH h AS (SELECT job_id FROM "+r.t.order+" WHERE endpoint = $1 AND order_key = $2 ORDER BY seq LIMIT 1) "+
			r.releaseSQL("h"), a.Endpoint, a.Order)
		if err := r.releaseNext(ctx, tx, []keyRef{{a.Endpoint, a.Order}}, b); err != nil {
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
// finished by another path (cancelled, discarded, deleted), whose head is
// parked, or that have deliveries waiting and no head.
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
// rows of the order and makes each key's next delivery its head (and due). The leader runs it
// every Config.OrderRecheck; it returns the number of keys repaired (at
// most 1000 a call).
func (r *Replica) SweepOrder(ctx context.Context) (int, error) {
	// The keys that have deliveries waiting, one index read each, however
	// many wait.
	waitingKeys := "(WITH RECURSIVE k AS ((SELECT endpoint, order_key FROM " + r.t.wait + " ORDER BY endpoint, order_key LIMIT 1)" +
		" UNION ALL SELECT n.endpoint, n.order_key FROM k CROSS JOIN LATERAL (SELECT endpoint, order_key FROM " + r.t.wait + " w" +
		" WHERE (w.endpoint, w.order_key) > (k.endpoint, k.order_key) ORDER BY endpoint, order_key LIMIT 1) n) SELECT * FROM k)"
	rows, err := r.pool.Query(ctx, "SELECT o.endpoint, o.order_key FROM "+r.t.order+" o LEFT JOIN "+r.t.job+" j ON j.id = o.job_id"+
		" WHERE j.id IS NULL OR j.state IN ('completed', 'cancelled', 'discarded')"+
		" UNION SELECT h.endpoint, h.order_key FROM (SELECT DISTINCT ON (endpoint, order_key) endpoint, order_key, job_id FROM "+r.t.order+
		" ORDER BY endpoint, order_key, seq) h JOIN "+r.t.job+" j ON j.id = h.job_id"+
		" WHERE j.state = 'scheduled' AND NOT j.metadata ? '"+turnKey+"'"+
		" UNION SELECT w.endpoint, w.order_key FROM "+waitingKeys+" w WHERE NOT EXISTS"+
		" (SELECT 1 FROM "+r.t.order+" o WHERE o.endpoint = w.endpoint AND o.order_key = w.order_key) LIMIT $1", orderSweepBatch)
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
			// A job parked in River by an earlier version.
			b.Queue("WITH h AS (SELECT job_id FROM "+r.t.order+" WHERE endpoint = $1 AND order_key = $2 ORDER BY seq LIMIT 1) "+
				r.releaseSQL("h"), k.endpoint, k.order)
			return r.releaseNext(ctx, tx, []keyRef{{k.endpoint, k.order}}, b)
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
