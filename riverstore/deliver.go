package riverstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/signature"
)

// deliverWorker attempts one notification per job. Its outcome drives
// River: nil completes the job (a dead-lettered one is completed in the
// dead letter's own transaction), an *attemptError retries it at the time
// our schedule gives (NextRetry), and JobSnooze parks one whose endpoint
// is disabled or busy without using an attempt.
type deliverWorker struct {
	river.WorkerDefaults[DeliveryArgs]
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
func (w *deliverWorker) Timeout(*river.Job[DeliveryArgs]) time.Duration {
	return w.r.cfg.Timeout + 30*time.Second
}

// NextRetry returns the time Work computed, or else the schedule's step.
func (w *deliverWorker) NextRetry(job *river.Job[DeliveryArgs]) time.Time {
	if v, ok := w.next.LoadAndDelete(job.ID); ok {
		return v.(time.Time)
	}
	cfg := w.r.cfg
	step := cfg.Schedule[min(job.Attempt, len(cfg.Schedule)-1)]
	return cfg.Clock.Now().Add(retryDelay(step, cfg.Jitter, 0, false, false, 0))
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliveryArgs]) error {
	r := w.r
	a := job.Args
	disabled, err := r.endpointDisabled(ctx, a.Endpoint)
	if err != nil {
		return err // River retries; no attempt was made
	}
	if disabled {
		return river.JobSnooze(r.cfg.DisabledRecheck)
	}
	if !r.acquire(a.Endpoint) {
		// Up to twice the wait, so that parked jobs do not come back
		// together.
		return river.JobSnooze(r.cfg.BusySnooze + rand.N(r.cfg.BusySnooze+1))
	}
	defer r.release(a.Endpoint)

	signer, err := r.signer(ctx, a.KeyID)
	if err != nil {
		return err
	}
	clock := r.cfg.Clock
	start := clock.Now()
	status, header, body, sendErr := r.send(ctx, a, signer, start)
	att := events.Attempt{At: start, Status: status, Latency: clock.Since(start), Response: body}
	outcome, reason, overloaded := classify(status, sendErr, r.cfg.RetryClientErrors)
	if sendErr != nil {
		att.Error = sendErr.Error()
	} else if outcome != events.OutcomeDelivered {
		att.Error = reason
	}
	info := events.AttemptInfo{DeliveryID: a.ID, Endpoint: a.Endpoint, Number: job.Attempt, Attempt: att, Outcome: outcome}
	log := func() *slog.Logger {
		return r.cfg.Logger.With("delivery", a.ID, "endpoint", redactURL(a.Endpoint), "attempt", info.Number, "status", status, "latency", att.Latency)
	}
	defer func() {
		if r.cfg.OnAttempt != nil {
			r.cfg.OnAttempt(info)
		}
	}()

	// Recording the outcome must not be cut short by a stop under way.
	rec := context.WithoutCancel(ctx)
	switch outcome {
	case events.OutcomeDelivered:
		return nil

	case events.OutcomeDisabled:
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

	case events.OutcomeRetry:
		if job.Attempt < len(r.cfg.Schedule) {
			ra, hasRA := parseRetryAfter(header, clock.Now())
			step := r.cfg.Schedule[job.Attempt]
			info.NextAttempt = clock.Now().Add(retryDelay(step, r.cfg.Jitter, ra, hasRA, overloaded, r.cfg.OverloadedBackoff))
			w.next.Store(job.ID, info.NextAttempt)
			log().Info("riverstore: attempt failed, will retry", "err", att.Error, "next", info.NextAttempt)
			return &attemptError{status: status, reason: att.Error}
		}
		reason = fmt.Sprintf("gave up after %d attempts: %s", job.Attempt, att.Error)
		info.Outcome = events.OutcomeDead
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

// send posts the signed notification and reads at most
// events.MaxResponseBody of the answer, within Config.Timeout on the Clock.
func (r *Replica) send(ctx context.Context, a DeliveryArgs, s *signature.Signer, now time.Time) (int, http.Header, []byte, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timer := r.cfg.Clock.AfterFunc(r.cfg.Timeout, func() { cancel(errAttemptTimeout) })
	defer timer.Stop()

	status, header, body, err := r.post(ctx, a, s, now)
	if err != nil && errors.Is(context.Cause(ctx), errAttemptTimeout) {
		err = fmt.Errorf("%w after %v: %w", errAttemptTimeout, r.cfg.Timeout, err)
	}
	return status, header, body, err
}

func (r *Replica) post(ctx context.Context, a DeliveryArgs, s *signature.Signer, now time.Time) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.Endpoint, bytes.NewReader(a.Body))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%w: %w", events.ErrInvalidEndpoint, err)
	}
	req.Header["Content-Type"] = []string{"application/json"}
	req.Header["User-Agent"] = []string{r.cfg.UserAgent}
	if s != nil {
		s.SetHeaders(req.Header, a.ID, now, a.Body)
	} else {
		req.Header["Elements-Webhook-Id"] = []string{a.ID}
		req.Header["Webhook-Id"] = []string{a.ID}
		req.Header["Webhook-Timestamp"] = []string{strconv.FormatInt(now.Unix(), 10)}
	}
	resp, err := r.cfg.Client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	if resp.ContentLength == 0 {
		return resp.StatusCode, resp.Header, nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, events.MaxResponseBody))
	if err != nil && resp.StatusCode/100 == 2 {
		err = nil // the receiver said yes; a broken body changes nothing
	}
	return resp.StatusCode, resp.Header, body, err
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

// signer returns the signer of a key id, reading the key once; nil for an
// unsigned delivery.
func (r *Replica) signer(ctx context.Context, keyID []byte) (*signature.Signer, error) {
	if len(keyID) == 0 {
		return nil, nil
	}
	r.mu.Lock()
	s, ok := r.signers[string(keyID)]
	r.mu.Unlock()
	if ok {
		return s, nil
	}
	var key []byte
	err := r.pool.QueryRow(ctx, "SELECT key FROM "+r.t.signingKey+" WHERE id = $1", keyID).Scan(&key)
	if err != nil {
		return nil, fmt.Errorf("riverstore: signing key %x: %w", keyID[:4], err)
	}
	if s, err = signature.NewSigner(key); err != nil {
		return nil, fmt.Errorf("riverstore: signing key %x: %w", keyID[:4], err)
	}
	r.mu.Lock()
	r.signers[string(keyID)] = s
	r.mu.Unlock()
	return s, nil
}
