package riverstore

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"

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
// transaction: into River, or, behind an unfinished one of its instance
// and object type, among the deliveries waiting their turn. It returns nil
// once they are committed; a notification whose id River still holds, or
// that is waiting, is skipped (one that waits is checked against River's
// when its turn comes). A callback URL that is not an
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
		// This replica's workers need not read it back: the id is the
		// key's hash, so it is right whether or not tx commits.
		r.mu.Lock()
		if _, ok := r.keys[string(keyID)]; !ok {
			r.keys[string(keyID)] = slices.Clone([]byte(b.Endpoint.Key))
		}
		r.mu.Unlock()
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
	// its head, inserted into River; every other one waits its turn in
	// elementevents_delivery_wait. A head whose id River still holds is
	// skipped, and the next one of its key takes its place.
	bodies := make([][]byte, len(notes))
	for i, note := range notes {
		if bodies[i], err = json.Marshal(note); err != nil {
			return fmt.Errorf("riverstore: encode notification %s: %w", note.Message.EventID, err)
		}
	}
	args := func(i int) deliveryArgs {
		return deliveryArgs{ID: notes[i].Message.EventID, Endpoint: b.Endpoint.URL, KeyID: keyID, Body: bodies[i], Events: len(notes[i].Message.Events), Order: keys[i]}
	}
	byKey := make(map[string][]int, len(keys)) // each key's notifications, in order
	for i, k := range keys {
		byKey[string(k)] = append(byKey[string(k)], i)
	}
	waits := make([]bool, len(notes))
	var heads []int // the next candidate head of each key, by index
	for i, k := range keys {
		if busy[string(k)] {
			waits[i] = true
		} else if byKey[string(k)][0] == i {
			heads = append(heads, i)
		}
	}
	var (
		headKeys [][]byte
		headJobs []int64
	)
	for len(heads) > 0 {
		params := make([]river.InsertManyParams, len(heads))
		for j, i := range heads {
			opts := r.deliveryOpts()
			opts.Metadata = turnMeta
			params[j] = river.InsertManyParams{Args: args(i), InsertOpts: opts}
		}
		res, err := r.client.InsertManyTx(ctx, tx, params)
		if err != nil {
			return fmt.Errorf("riverstore: store %d notifications for %s: %w", len(params), netguard.RedactURL(b.Endpoint.URL), err)
		}
		var again []int
		for j, res := range res {
			i := heads[j]
			rest := byKey[string(keys[i])][1:]
			byKey[string(keys[i])] = rest
			if res.UniqueSkippedAsDuplicate {
				if len(rest) > 0 {
					again = append(again, rest[0])
				}
				continue
			}
			headKeys = append(headKeys, keys[i])
			headJobs = append(headJobs, res.Job.ID)
			for _, w := range rest {
				waits[w] = true
			}
		}
		heads = again
	}
	if err := r.appendOrder(ctx, tx, b.Endpoint.URL, headKeys, headJobs); err != nil {
		return err
	}
	var waiting []deliveryArgs
	for i, w := range waits {
		if w {
			waiting = append(waiting, args(i))
		}
	}
	return r.appendWait(ctx, tx, waiting)
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
