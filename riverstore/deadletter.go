package riverstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// statusTTL is how long a replica trusts its copy of the disabled
// endpoints: another replica's 410 reaches it within this time (until
// then its own attempts may meet the 410 themselves).
const statusTTL = time.Second

// endpointDisabled reports whether an endpoint was disabled (after a 410),
// from a copy of the disabled endpoints read at most once a statusTTL.
func (r *Replica) endpointDisabled(ctx context.Context, endpoint string) (bool, error) {
	r.statusMu.Lock()
	defer r.statusMu.Unlock()
	now := r.cfg.Clock.Now()
	if r.disabled == nil || now.Sub(r.statusAt) >= statusTTL {
		rows, err := r.pool.Query(ctx, "SELECT url FROM "+r.t.endpoint+" WHERE disabled")
		if err != nil {
			return false, fmt.Errorf("riverstore: disabled endpoints: %w", err)
		}
		urls, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return false, fmt.Errorf("riverstore: disabled endpoints: %w", err)
		}
		r.disabled = make(map[string]bool, len(urls))
		for _, u := range urls {
			r.disabled[u] = true
		}
		r.statusAt = now
	}
	return r.disabled[endpoint], nil
}

// setDisabled records an endpoint's status and reports whether this call
// changed it.
func (r *Replica) setDisabled(ctx context.Context, endpoint string, disabled bool, reason string) (bool, error) {
	if !disabled {
		reason = ""
	}
	var changed bool
	err := r.pool.QueryRow(ctx, "INSERT INTO "+r.t.endpoint+` AS e (url, disabled, reason, changed_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (url) DO UPDATE SET disabled = EXCLUDED.disabled, reason = EXCLUDED.reason, changed_at = EXCLUDED.changed_at
		WHERE e.disabled IS DISTINCT FROM EXCLUDED.disabled
		RETURNING true`, endpoint, disabled, reason, r.cfg.Clock.Now()).Scan(&changed)
	if err != nil && !errNoRows(err) {
		return false, fmt.Errorf("riverstore: set status of %s: %w", netguard.RedactURL(endpoint), err)
	}
	r.statusMu.Lock()
	if r.disabled != nil {
		r.disabled[endpoint] = disabled
	}
	r.statusMu.Unlock()
	return changed, nil
}

// EndpointStatus is what the store knows of a disabled (or re-enabled)
// endpoint.
type EndpointStatus struct {
	// URL is the callback URL.
	URL string
	// Disabled endpoints get no attempts; their deliveries wait.
	Disabled bool
	// Reason says why it was disabled ("410 Gone").
	Reason string
	// Changed is when it was last disabled or enabled.
	Changed time.Time
}

// Endpoints lists the endpoints ever disabled, sorted by URL.
func (r *Replica) Endpoints(ctx context.Context) ([]EndpointStatus, error) {
	rows, err := r.pool.Query(ctx, "SELECT url, disabled, reason, changed_at FROM "+r.t.endpoint+" ORDER BY url")
	if err != nil {
		return nil, fmt.Errorf("riverstore: list endpoints: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (EndpointStatus, error) {
		var s EndpointStatus
		err := row.Scan(&s.URL, &s.Disabled, &s.Reason, &s.Changed)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("riverstore: list endpoints: %w", err)
	}
	return out, nil
}

// Disable stops deliveries to an endpoint until Enable, as a 410 Gone
// does; its notifications wait.
func (r *Replica) Disable(ctx context.Context, endpoint, reason string) error {
	_, err := r.setDisabled(ctx, endpoint, true, reason)
	return err
}

// Enable re-enables an endpoint disabled after a 410 Gone, and makes its
// waiting deliveries due at once, whichever replica parked them (those
// waiting for an earlier one of their order key go on waiting).
func (r *Replica) Enable(ctx context.Context, endpoint string) error {
	if _, err := r.setDisabled(ctx, endpoint, false, ""); err != nil {
		return err
	}
	params := river.NewJobListParams().Kinds(kindDeliver).States(rivertype.JobStateScheduled).
		Where("args->>'endpoint' = @endpoint AND scheduled_at < @parked", river.NamedArgs{"endpoint": endpoint, "parked": parkedAt}).First(1000)
	for {
		res, err := r.client.JobList(ctx, params)
		if err != nil {
			return fmt.Errorf("riverstore: enable %s: list waiting deliveries: %w", netguard.RedactURL(endpoint), err)
		}
		for _, job := range res.Jobs {
			if _, err := r.client.JobRetry(ctx, job.ID); err != nil && !isNotFound(err) {
				return fmt.Errorf("riverstore: enable %s: wake delivery job %d: %w", netguard.RedactURL(endpoint), job.ID, err)
			}
		}
		if len(res.Jobs) < 1000 {
			return nil
		}
		params = params.After(res.LastCursor)
	}
}

func isNotFound(err error) bool { return errors.Is(err, river.ErrNotFound) }

// deadDelivery describes a dead-lettered job as a notify.Delivery, with
// the attempts River recorded and the last one.
func (r *Replica) deadDelivery(job *river.Job[deliveryArgs], last notify.Attempt, reason string) notify.Delivery {
	a := job.Args
	d := notify.Delivery{
		ID:         a.ID,
		Endpoint:   a.Endpoint,
		Body:       a.Body,
		Events:     a.Events,
		CreatedAt:  job.CreatedAt,
		State:      notify.Dead,
		DeadReason: reason,
	}
	for _, e := range job.Errors {
		d.Attempts = append(d.Attempts, notify.Attempt{At: e.At, Error: e.Error})
	}
	d.Attempts = append(d.Attempts, last)
	return d
}

// deadLetter stores a dead delivery and completes its job, in one
// transaction: a dead letter exists exactly when its job is over. It
// settles the job, so the next delivery of its order key is due. A
// replayed one that died again is overwritten.
func (r *Replica) deadLetter(ctx context.Context, job *river.Job[deliveryArgs], d notify.Delivery) error {
	attempts, err := json.Marshal(d.Attempts)
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO "+r.t.deadLetter+` (id, job_id, endpoint, key_id, body, events, created_at, dead_at, reason, attempts, order_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (id) DO UPDATE SET job_id = EXCLUDED.job_id, endpoint = EXCLUDED.endpoint, key_id = EXCLUDED.key_id,
				body = EXCLUDED.body, events = EXCLUDED.events, dead_at = EXCLUDED.dead_at, reason = EXCLUDED.reason,
				attempts = EXCLUDED.attempts, order_key = EXCLUDED.order_key`,
			d.ID, job.ID, d.Endpoint, job.Args.KeyID, d.Body, d.Events, d.CreatedAt, r.cfg.Clock.Now(), d.DeadReason, attempts, job.Args.Order)
		if err != nil {
			return err
		}
		return r.settle(ctx, tx, job)
	})
}

// DeadLetterFilter selects dead letters for [Replica.DeadLetters].
type DeadLetterFilter struct {
	// Endpoint, when set, selects one endpoint.
	Endpoint string
	// Limit caps the result; zero means no cap.
	Limit int
}

// DeadLetters lists the notifications given up on, oldest first, with
// their attempts: those River recorded (time and error) and the last one
// in full. Their signing keys are not returned.
func (r *Replica) DeadLetters(ctx context.Context, f DeadLetterFilter) ([]notify.Delivery, error) {
	limit := any(nil)
	if f.Limit > 0 {
		limit = f.Limit
	}
	rows, err := r.pool.Query(ctx, "SELECT id, endpoint, body, events, created_at, reason, attempts FROM "+r.t.deadLetter+
		" WHERE ($1 = '' OR endpoint = $1) ORDER BY dead_at, id LIMIT $2", f.Endpoint, limit)
	if err != nil {
		return nil, fmt.Errorf("riverstore: list dead letters: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (notify.Delivery, error) {
		d := notify.Delivery{State: notify.Dead}
		var attempts []byte
		if err := row.Scan(&d.ID, &d.Endpoint, &d.Body, &d.Events, &d.CreatedAt, &d.DeadReason, &attempts); err != nil {
			return d, err
		}
		if err := json.Unmarshal(attempts, &d.Attempts); err != nil {
			return d, fmt.Errorf("%w: attempts of dead letter %s: %w", ErrCorrupt, d.ID, err)
		}
		return d, nil
	})
	if err != nil {
		return nil, fmt.Errorf("riverstore: list dead letters: %w", err)
	}
	return out, nil
}

// Replay makes a dead letter a delivery job again, with all its attempts
// ahead of it: due now, or, if deliveries of its instance and object type
// to its endpoint are unfinished, at the tail of that order, after them
// (it is not put back ahead of those published since it died).
// ErrNotFound if there is no such dead letter.
func (r *Replica) Replay(ctx context.Context, id string) error {
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		var (
			a     deliveryArgs
			jobID int64
		)
		err := tx.QueryRow(ctx, "DELETE FROM "+r.t.deadLetter+" WHERE id = $1 RETURNING id, endpoint, key_id, body, events, job_id, order_key", id).
			Scan(&a.ID, &a.Endpoint, &a.KeyID, &a.Body, &a.Events, &jobID, &a.Order)
		if errNoRows(err) {
			return fmt.Errorf("%w: dead letter %q", ErrNotFound, id)
		}
		if err != nil {
			return err
		}
		opts := r.deliveryOpts()
		opts.ScheduledAt = time.Time{}
		// The job that gave up still holds the id's uniqueness.
		if _, err := r.client.JobDeleteTx(ctx, tx, jobID); err != nil && !isNotFound(err) {
			return err
		}
		if len(a.Order) > 0 {
			// At the tail of its order key, behind those published since.
			busy, err := r.lockKeys(ctx, tx, a.Endpoint, [][]byte{a.Order})
			if err != nil {
				return err
			}
			if busy[string(a.Order)] {
				return r.appendWait(ctx, tx, []deliveryArgs{a})
			}
			opts.Metadata = turnMeta
		}
		res, err := r.client.InsertTx(ctx, tx, a, opts)
		if err != nil || len(a.Order) == 0 || res.UniqueSkippedAsDuplicate {
			return err
		}
		return r.appendOrder(ctx, tx, a.Endpoint, [][]byte{a.Order}, []int64{res.Job.ID})
	})
	if err != nil {
		return fmt.Errorf("riverstore: replay %s: %w", id, err)
	}
	return nil
}
