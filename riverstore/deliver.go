package riverstore

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
	"github.com/riverqueue/river"
)

// deliverWorker attempts one notification per job. Its outcome drives
// River: nil completes the job (a dead-lettered one is completed in the
// dead letter's own transaction), an *attemptError retries it at the time
// our schedule gives (NextRetry), and JobSnooze parks one whose endpoint
// is disabled or busy without using an attempt. A delivered or
// dead-lettered job with an order key is completed in the transaction that
// makes the next one of its key due (settle), a delivered one by the
// settler, many at a time (settle.go); a retried one stays its key's head.
type deliverWorker struct {
	river.WorkerDefaults[deliveryArgs]
	r *Replica

	// next holds, by job id, when a failed job is due again, from the
	// Work that failed to the NextRetry River calls right after it.
	next sync.Map
}

// attemptError is a failed attempt, as River records it in the job's
// errors.
type attemptError struct {
	status int
	reason string
}

func (e *attemptError) Error() string {
	if e.status == 0 {
		return e.reason
	}
	return fmt.Sprintf("status %d: %s", e.status, e.reason)
}

// Timeout leaves the attempt's own timeout (on the Clock) room to record
// the outcome.
func (w *deliverWorker) Timeout(*river.Job[deliveryArgs]) time.Duration {
	return w.r.cfg.Policy.Timeout + 30*time.Second
}

// NextRetry returns the time Work computed, or else the schedule's step.
func (w *deliverWorker) NextRetry(job *river.Job[deliveryArgs]) time.Time {
	if v, ok := w.next.LoadAndDelete(job.ID); ok {
		return v.(time.Time)
	}
	// No attempt was made (Work failed before it): wait the step that
	// follows this attempt, or the last step after the last attempt.
	next, _ := w.r.sender.NextAttempt(notify.AttemptResult{}, min(job.Attempt, len(w.r.cfg.Policy.Schedule)-1))
	return next
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[deliveryArgs]) error {
	r := w.r
	a := job.Args
	disabled, err := r.endpointDisabled(ctx, a.Endpoint)
	if err != nil {
		return err // River retries; no attempt was made
	}
	if disabled {
		return river.JobSnooze(r.cfg.DisabledRecheck)
	}
	if turn := hasTurn(job.Metadata); len(a.Order) > 0 && (!turn || job.Attempt > 1) {
		// Made due by another path than ours (unmarked): wait while an
		// earlier delivery of its key is unfinished; its settle, or the
		// sweep, makes this one due again sooner. Attempted before: it
		// may have been delivered and settled by a replica that stopped
		// before River recorded it (River then rescues it), and the ones
		// behind it delivered since; its row is gone then.
		settled, before, err := r.orderState(ctx, job)
		switch {
		case err != nil:
			return err // River retries; no attempt was made
		case settled:
			return nil
		case before && !turn:
			return river.JobSnooze(r.cfg.OrderRecheck)
		}
	}
	if !r.acquire(a.Endpoint) {
		// Up to twice the wait, so that parked jobs do not come back
		// together.
		return river.JobSnooze(r.cfg.BusySnooze + rand.N(r.cfg.BusySnooze+1))
	}
	defer r.release(a.Endpoint)

	key, err := r.signingKey(ctx, a.KeyID)
	if err != nil {
		return err
	}
	res := r.sender.Send(ctx, notify.Delivery{ID: a.ID, Endpoint: a.Endpoint, Key: key, Body: a.Body, Events: a.Events})
	att, outcome, reason := res.Attempt, res.Outcome, res.Reason
	info := notify.AttemptInfo{DeliveryID: a.ID, Endpoint: a.Endpoint, Number: job.Attempt, Attempt: att, Outcome: outcome}
	log := func() *slog.Logger {
		return r.cfg.Logger.With("delivery", a.ID, "endpoint", netguard.RedactURL(a.Endpoint), "attempt", info.Number, "status", att.Status, "latency", att.Latency)
	}
	defer func() {
		if r.cfg.OnAttempt != nil {
			r.cfg.OnAttempt(info)
		}
	}()

	// Recording the outcome must not be cut short by a stop under way.
	rec := context.WithoutCancel(ctx)
	switch outcome {
	case notify.OutcomeDelivered:
		if len(a.Order) == 0 || r.settler.add(settleItemOf(job)) {
			return nil
		}
		// No settler runs (the replica stops): settle it here.
		if err := r.settleDelivered(rec, []settleItem{settleItemOf(job)}); err != nil {
			// River completes the job; the sweep releases the next one.
			log().Error("riverstore: could not release the next delivery in order", "err", err)
		}
		return nil

	case notify.OutcomeDisabled:
		first, err := r.setDisabled(rec, a.Endpoint, true, reason)
		if err != nil {
			return err // retried: the endpoint will answer 410 again
		}
		if first {
			log().Warn("riverstore: endpoint disabled", "reason", reason)
			if r.cfg.OnDisabled != nil {
				r.cfg.OnDisabled(a.Endpoint, reason)
			}
		}
		return river.JobSnooze(r.cfg.DisabledRecheck)

	case notify.OutcomeRetry:
		if next, ok := r.sender.NextAttempt(res, job.Attempt); ok {
			info.NextAttempt = next
			w.next.Store(job.ID, info.NextAttempt)
			log().Info("riverstore: attempt failed, will retry", "err", att.Error, "next", info.NextAttempt)
			return &attemptError{status: att.Status, reason: att.Error}
		}
		reason = fmt.Sprintf("gave up after %d attempts: %s", job.Attempt, att.Error)
		info.Outcome = notify.OutcomeDead
	}

	// Dead: other 4xx, a refused address, or no attempt left.
	d := r.deadDelivery(job, att, reason)
	if err := r.deadLetter(rec, job, d); err != nil {
		// Not cancelled, and no attempt used: the job comes back later and
		// is dead-lettered then, so the notification is never dropped.
		log().Error("riverstore: could not dead-letter, will try again", "err", err, "in", r.cfg.DisabledRecheck)
		return river.JobSnooze(r.cfg.DisabledRecheck)
	}
	log().Warn("riverstore: dead-lettered", "reason", reason)
	if r.cfg.OnExhausted != nil {
		r.cfg.OnExhausted(d)
	}
	return nil // the job was completed with its dead letter
}

// acquire takes one of the endpoint's Concurrency slots on this replica.
func (r *Replica) acquire(endpoint string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.inflight[endpoint] >= r.cfg.Concurrency {
		return false
	}
	r.inflight[endpoint]++
	return true
}

func (r *Replica) release(endpoint string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.inflight[endpoint]--; r.inflight[endpoint] <= 0 {
		delete(r.inflight, endpoint)
	}
}

// signingKey returns the signing key of a key id, reading it once; nil
// for an unsigned delivery.
func (r *Replica) signingKey(ctx context.Context, keyID []byte) ([]byte, error) {
	if len(keyID) == 0 {
		return nil, nil
	}
	r.mu.Lock()
	key, ok := r.keys[string(keyID)]
	r.mu.Unlock()
	if ok {
		return key, nil
	}
	err := r.pool.QueryRow(ctx, "SELECT key FROM "+r.t.signingKey+" WHERE id = $1", keyID).Scan(&key)
	if err != nil {
		return nil, fmt.Errorf("riverstore: signing key %x: %w", keyID[:min(4, len(keyID))], err)
	}
	r.mu.Lock()
	r.keys[string(keyID)] = key
	r.mu.Unlock()
	return key, nil
}
