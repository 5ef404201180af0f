package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/netguard"
)

// callbackURLKey is the instance configuration key that Endpoint.URL
// comes from, named in errors.
const callbackURLKey = "event.notification.callback.url"

// Notifier is the [events.Sink] that delivers notifications over HTTP. Publish
// stores a batch's notifications in the outbox and returns; Run delivers
// them, signed, with retries on the schedule, per-endpoint isolation and
// per-object order, until its context ends.
type Notifier struct {
	cfg    Config
	sender *Sender

	wake    chan struct{} // a Publish or a finished attempt: dispatch again
	running atomic.Bool
	stats   stats

	// claiming is held shared around each Claim and the marking of what
	// it claimed, and exclusively by RetryNow, so that RetryNow never
	// ends the lease of a delivery being attempted.
	claiming sync.RWMutex

	mu         sync.Mutex
	attempting map[string]bool // ids claimed and not yet recorded
	inflight   map[string]int  // attempts in flight per endpoint
	failures   map[string]int  // consecutive failed attempts per endpoint
	disabled   map[string]bool
	// dispatches counts dispatch passes and dispatching marks one under
	// way (until the next wake-up is armed), so tests can tell when the
	// notifier is idle.
	dispatches  uint64
	dispatching bool
}

// New returns a Notifier for cfg, with defaults filled in. An error wraps
// [ErrConfig] and names the field at fault.
func New(cfg Config) (*Notifier, error) {
	cfg = cfg.withDefaults()
	sender, err := newSender(cfg.Policy, cfg.Clock, "Config.Policy")
	if err != nil {
		return nil, err
	}
	cfg.Policy = sender.policy
	return &Notifier{
		cfg:        cfg,
		sender:     sender,
		wake:       make(chan struct{}, 1),
		inflight:   make(map[string]int),
		attempting: make(map[string]bool),
		failures:   make(map[string]int),
		disabled:   make(map[string]bool),
	}, nil
}

// Outbox returns the notifier's outbox, to list, replay or inspect
// deliveries.
func (n *Notifier) Outbox() Outbox { return n.cfg.Outbox }

// Publish splits the batch into notifications (at most the Policy's
// PollingBatchSize or WebhookBatchSize events each, one object type each) and stores them in
// the outbox. It returns nil once they are stored: from then on they are
// delivered or dead-lettered, never dropped. A notification whose id the
// outbox already holds (the same events published again) is not stored
// twice. A callback URL that is not an absolute http(s) URL is
// [ErrInvalidEndpoint], one that Config.Policy.Guard refuses before resolving it
// is [netguard.ErrRefused] (see [CheckEndpoint]), and nothing is stored;
// the error names the instance and event.notification.callback.url.
func (n *Notifier) Publish(ctx context.Context, b events.Batch) error {
	if len(b.Events) == 0 && b.Status == nil {
		return nil
	}
	if err := CheckEndpoint(b.Endpoint.URL, n.cfg.Policy.Guard); err != nil {
		return fmt.Errorf("notify: instance %s: %s: %w", quote.Cut(b.Instance.ID), callbackURLKey, err)
	}
	size := n.cfg.Policy.PollingBatchSize
	if b.Source == events.FromWebhook {
		size = n.cfg.Policy.WebhookBatchSize
	}
	notes := events.Notifications(b, size)
	var trace string
	if n.cfg.Tracer != nil {
		trace = n.cfg.Tracer.Capture(ctx)
	}
	ds := make([]Delivery, 0, len(notes))
	for _, note := range notes {
		body, err := json.Marshal(note)
		if err != nil {
			return fmt.Errorf("notify: encode notification %s: %w", note.Message.EventID, err)
		}
		ds = append(ds, Delivery{
			ID:       note.Message.EventID,
			Endpoint: b.Endpoint.URL,
			OrderKey: orderKey(b.Instance.ID, orderObject(note)),
			Key:      b.Endpoint.Key,
			Body:     body,
			Events:   len(note.Message.Events),
			Trace:    trace,
		})
	}
	if err := n.cfg.Outbox.Enqueue(ctx, n.cfg.Clock.Now(), ds...); err != nil {
		return fmt.Errorf("notify: store %d notifications for %s: %w", len(ds), netguard.RedactURL(b.Endpoint.URL), err)
	}
	n.stats.enqueued.Add(int64(len(ds)))
	n.poke()
	return nil
}

// Replay makes a dead-lettered notification pending again, due now.
func (n *Notifier) Replay(ctx context.Context, id string) error {
	if err := n.cfg.Outbox.Replay(ctx, id, n.cfg.Clock.Now()); err != nil {
		return fmt.Errorf("notify: replay %s: %w", id, err)
	}
	n.poke()
	return nil
}

// Resend stores d in the outbox, due now, and wakes Run: a notification
// delivered before is sent again with its id (a host's replay of a
// delivered notification, which the outbox no longer holds). A delivery
// whose ID the outbox holds is left as it is, as Publish leaves one.
func (n *Notifier) Resend(ctx context.Context, d Delivery) error {
	d.NextAttempt, d.Attempts, d.State, d.DeadReason = time.Time{}, nil, "", ""
	if err := n.cfg.Outbox.Enqueue(ctx, n.cfg.Clock.Now(), d); err != nil {
		return fmt.Errorf("notify: resend %s: %w", d.ID, err)
	}
	n.poke()
	return nil
}

// Enable re-enables an endpoint that was disabled (after a 410 Gone); its
// pending notifications are delivered again.
func (n *Notifier) Enable(ctx context.Context, endpoint string) error {
	if err := n.cfg.Outbox.SetDisabled(ctx, endpoint, false, ""); err != nil {
		return fmt.Errorf("notify: enable %s: %w", netguard.RedactURL(endpoint), err)
	}
	n.mu.Lock()
	delete(n.disabled, endpoint)
	n.mu.Unlock()
	n.poke()
	return nil
}

// poke wakes Run's dispatch loop without blocking.
func (n *Notifier) poke() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// Run delivers notifications until ctx ends, then waits for the attempts in
// flight to finish or time out and returns nil. Notifications not yet
// delivered stay in the outbox for the next Run. Only one Run may be
// active at a time ([ErrRunning]).
func (n *Notifier) Run(ctx context.Context) error {
	if !n.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer n.running.Store(false)

	// Attempts outlive ctx so that a stop never cuts a request in half;
	// each has its own timeout.
	attemptCtx := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer func() {
		n.mu.Lock()
		n.dispatching = false
		n.mu.Unlock()
	}()

	clock := n.cfg.Clock
	for {
		next, err := n.dispatch(ctx, attemptCtx, &wg)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			n.cfg.Logger.Error("notify: outbox unavailable, retrying in 1s", "err", err)
			next = clock.Now().Add(time.Second)
		}
		var timer clockwork.Timer
		var fire <-chan time.Time
		if !next.IsZero() {
			timer = clock.NewTimer(max(next.Sub(clock.Now()), 0))
			fire = timer.Chan()
			// A clock that moved past next between reading it and arming
			// the timer would make the timer fire late: dispatch now.
			if !clock.Now().Before(next) {
				timer.Stop()
				continue
			}
		}
		n.mu.Lock()
		n.dispatching = false
		n.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-n.wake:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// dispatch claims the due deliveries of every endpoint with free capacity
// and starts an attempt for each. It returns when the next one is due
// (zero if nothing is pending, or only work that a finishing attempt will
// wake us for).
func (n *Notifier) dispatch(ctx, attemptCtx context.Context, wg *sync.WaitGroup) (time.Time, error) {
	n.mu.Lock()
	n.dispatches++
	n.dispatching = true // until Run has armed its timer
	n.mu.Unlock()
	eps, err := n.cfg.Outbox.Endpoints(ctx)
	if err != nil {
		return time.Time{}, err
	}
	var next time.Time
	for _, ep := range eps {
		if ep.Disabled || ep.Pending == 0 || ep.NextDue.IsZero() {
			continue
		}
		now := n.cfg.Clock.Now()
		if ep.NextDue.After(now) {
			if next.IsZero() || ep.NextDue.Before(next) {
				next = ep.NextDue
			}
			continue
		}
		n.mu.Lock()
		free := n.cfg.Concurrency - n.inflight[ep.URL]
		n.mu.Unlock()
		if free <= 0 {
			continue // a finishing attempt pokes us
		}
		ds, err := n.claim(ctx, ep.URL, now, free)
		if err != nil {
			return time.Time{}, err
		}
		for _, d := range ds {
			n.mu.Lock()
			n.inflight[d.Endpoint]++
			n.mu.Unlock()
			wg.Go(func() { n.work(ctx, attemptCtx, d) })
		}
	}
	return next, nil
}

// work attempts d, then keeps claiming the endpoint's next due delivery
// itself, so that a busy endpoint does not wait for a dispatch pass
// between attempts. It stops claiming when ctx ends.
func (n *Notifier) work(ctx, attemptCtx context.Context, d Delivery) {
	dl := &deadline{parent: attemptCtx, clock: n.cfg.Clock, timeout: n.cfg.Policy.Timeout}
	defer dl.close()
	for {
		n.attempt(attemptCtx, dl, d)
		n.mu.Lock()
		delete(n.attempting, d.ID)
		n.mu.Unlock()
		if ctx.Err() != nil {
			break
		}
		next, err := n.claim(ctx, d.Endpoint, n.cfg.Clock.Now(), 1)
		if err != nil || len(next) == 0 {
			break
		}
		d = next[0]
	}
	n.mu.Lock()
	n.inflight[d.Endpoint]--
	n.mu.Unlock()
	n.poke()
}

// claim claims up to max due deliveries of endpoint and marks them as
// being attempted, under claiming.
func (n *Notifier) claim(ctx context.Context, endpoint string, now time.Time, max int) ([]Delivery, error) {
	n.claiming.RLock()
	defer n.claiming.RUnlock()
	ds, err := n.cfg.Outbox.Claim(ctx, endpoint, now, n.lease(), max)
	n.mu.Lock()
	for _, d := range ds {
		n.attempting[d.ID] = true
	}
	n.mu.Unlock()
	return ds, err
}

// RetryNow makes a pending notification that waits for its next attempt
// due now, and wakes Run: a host's replay of a notification that failed
// and is not dead yet. One being attempted is left to its attempt.
// [ErrNotFound] when the outbox holds no pending notification id.
func (n *Notifier) RetryNow(ctx context.Context, id string) error {
	n.claiming.Lock()
	defer n.claiming.Unlock()
	n.mu.Lock()
	busy := n.attempting[id]
	n.mu.Unlock()
	if busy {
		return nil
	}
	if err := n.cfg.Outbox.Release(ctx, id, n.cfg.Clock.Now()); err != nil {
		return fmt.Errorf("notify: retry %s now: %w", id, err)
	}
	n.poke()
	return nil
}

// lease is how long a claimed delivery is held: the attempt's timeout with
// room to record the outcome. After a crash it becomes claimable again.
func (n *Notifier) lease() time.Duration { return n.cfg.Policy.Timeout + 30*time.Second }

var _ events.Sink = (*Notifier)(nil)

// orderKey is the OrderKey of the notifications of an instance about
// object: the instance id, NUL, the object type.
func orderKey(instanceID, object string) string { return instanceID + "\x00" + object }

// DeliveryInstance returns the id of the instance a delivery that
// [Notifier.Publish] stored is about, read from its OrderKey; "" for a
// delivery whose OrderKey names no instance (one stored by other means).
func DeliveryInstance(d Delivery) string {
	inst, _, ok := strings.Cut(d.OrderKey, "\x00")
	if !ok {
		return ""
	}
	return inst
}

// orderObject is the object type a notification is ordered by: its
// events' type, or the empty one for a status notification, which is
// ordered apart from every object.
func orderObject(note events.Notification) string {
	if len(note.Message.Events) == 0 {
		return ""
	}
	return note.Message.Events[0].ObjectType
}
