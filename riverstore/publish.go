package riverstore

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
)

// kindDeliver is the River job kind of a notification delivery.
const kindDeliver = "elementevents_deliver"

// deliveryArgs are the arguments of a delivery job: one notification to
// one endpoint. The signing key is not among them: jobs carry the
// SHA-256 of the key, and the key itself is in elementevents_signing_key,
// so that River's job listings never show it.
type deliveryArgs struct {
	// ID is the notification's eventId. Jobs are unique by it for as long
	// as River keeps them (completed ones included), so a notification
	// published again is not delivered again.
	ID string `json:"id" river:"unique"`
	// Endpoint is the callback URL.
	Endpoint string `json:"endpoint"`
	// KeyID is the SHA-256 of the signing key, empty when unsigned.
	KeyID []byte `json:"key_id,omitempty"`
	// Body is the notification JSON, byte for byte (base64 in the job).
	Body []byte `json:"body"`
	// Events is the number of events in Body.
	Events int `json:"events"`
	// Order is the order key: a hash of the notification's instance and
	// object type (base64 in the job). The jobs of one Endpoint and Order
	// are attempted one at a time, in publish order. Empty means no order.
	Order []byte `json:"order,omitempty"`
}

// Kind implements river.JobArgs.
func (deliveryArgs) Kind() string { return kindDeliver }

var _ events.Sink = (*Replica)(nil)

// Publish implements [events.Sink]: it splits the batch into notifications
// as the Notifier does and inserts one delivery job for each, in one
// transaction. It returns nil once they are committed; a notification
// whose id River still holds is skipped. A callback URL that is not an
// absolute http(s) URL is [notify.ErrInvalidEndpoint] and nothing is
// stored.
func (r *Replica) Publish(ctx context.Context, b events.Batch) error {
	if len(b.Events) == 0 && b.Status == nil {
		return nil
	}
	return pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error { return r.PublishTx(ctx, tx, b) })
}

// PublishTx is Publish inside the caller's transaction: the transactional
// outbox. The delivery jobs become visible, and are delivered, only if tx
// commits; if it rolls back, nothing is delivered. Use it to publish
// events together with the writes that caused them.
func (r *Replica) PublishTx(ctx context.Context, tx pgx.Tx, b events.Batch) error {
	if len(b.Events) == 0 && b.Status == nil {
		return nil
	}
	if err := notify.CheckEndpoint(b.Endpoint.URL, r.cfg.Policy.Guard); err != nil {
		return fmt.Errorf("riverstore: instance %q: event.notification.callback.url: %w", b.Instance.ID, err)
	}
	notes := events.Notifications(b, r.maxEvents[b.Source])
	var keyID []byte
	if len(b.Endpoint.Key) > 0 {
		sum := sha256.Sum256(b.Endpoint.Key)
		keyID = sum[:]
		// As bytes: a signature.Key prints, and marshals, redacted.
		if _, err := tx.Exec(ctx, "INSERT INTO "+r.t.signingKey+" (id, key) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", keyID, []byte(b.Endpoint.Key)); err != nil {
			return fmt.Errorf("riverstore: store signing key for %s: %w", netguard.RedactURL(b.Endpoint.URL), err)
		}
	}
	keys := make([][]byte, len(notes))
	for i, note := range notes {
		// A status notification has no events; it is ordered apart from
		// every object type, under the empty one.
		var object string
		if len(note.Message.Events) > 0 {
			object = note.Message.Events[0].ObjectType
		}
		keys[i] = orderKey(b.Instance.ID, object)
	}
	busy, err := r.lockKeys(ctx, tx, b.Endpoint.URL, keys)
	if err != nil {
		return err
	}
	// The first notification of a key that has no unfinished delivery is
	// its head, due; every other one is parked behind it.
	head := make(map[string]int, len(keys))
	params := make([]river.InsertManyParams, 0, len(notes))
	for i, note := range notes {
		body, err := json.Marshal(note)
		if err != nil {
			return fmt.Errorf("riverstore: encode notification %s: %w", note.Message.EventID, err)
		}
		opts := r.deliveryOpts()
		if _, seen := head[string(keys[i])]; seen || busy[string(keys[i])] {
			opts.ScheduledAt = parkedAt
		} else {
			head[string(keys[i])] = i
			opts.Metadata = turnMeta
		}
		params = append(params, river.InsertManyParams{
			Args:       deliveryArgs{ID: note.Message.EventID, Endpoint: b.Endpoint.URL, KeyID: keyID, Body: body, Events: len(note.Message.Events), Order: keys[i]},
			InsertOpts: opts,
		})
	}
	res, err := r.client.InsertManyTx(ctx, tx, params)
	if err != nil {
		return fmt.Errorf("riverstore: store %d notifications for %s: %w", len(params), netguard.RedactURL(b.Endpoint.URL), err)
	}
	// A notification River still holds is not inserted again; if it was a
	// head, the first one inserted after it takes its place.
	var (
		inserted [][]byte
		jobIDs   []int64
		promote  []int64
	)
	first := make(map[string]bool, len(head))
	for i, res := range res {
		if res.UniqueSkippedAsDuplicate {
			continue
		}
		k := string(keys[i])
		if h, ok := head[k]; ok && !first[k] {
			first[k] = true
			if h != i {
				promote = append(promote, res.Job.ID)
			}
		}
		inserted = append(inserted, keys[i])
		jobIDs = append(jobIDs, res.Job.ID)
	}
	if len(promote) > 0 {
		if _, err := tx.Exec(ctx, "WITH h AS (SELECT unnest($1::bigint[]) AS job_id) "+r.releaseSQL("h"), promote); err != nil {
			return fmt.Errorf("riverstore: release deliveries to %s: %w", netguard.RedactURL(b.Endpoint.URL), err)
		}
	}
	if err := r.appendOrder(ctx, tx, b.Endpoint.URL, inserted, jobIDs); err != nil {
		return err
	}
	return nil
}

// deliveryOpts are the insert options of a delivery job.
func (r *Replica) deliveryOpts() *river.InsertOpts {
	o := &river.InsertOpts{
		Queue:       QueueDeliver,
		MaxAttempts: len(r.cfg.Policy.Schedule),
		UniqueOpts:  river.UniqueOpts{ByArgs: true},
	}
	if first := r.cfg.Policy.Schedule[0]; first > 0 {
		o.ScheduledAt = r.cfg.Clock.Now().Add(first)
	}
	return o
}
