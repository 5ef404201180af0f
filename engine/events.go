package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/poller"
)

// Events returns the tenant's logged notifications that f selects,
// newest first; see [EventLog.List].
func (e *Engine) Events(ctx context.Context, f EventFilter) ([]LoggedEvent, error) {
	if f.Tenant == "" {
		return nil, fmt.Errorf("%w: EventFilter.Tenant is required", ErrInvalid)
	}
	return e.cfg.Events.List(ctx, f)
}

// Event returns the logged notification id of tenant, with its status
// and every attempt, or [ErrEventNotFound].
func (e *Engine) Event(ctx context.Context, tenant, id string) (LoggedEvent, error) {
	return e.cfg.Events.Get(ctx, tenant, id)
}

// Replay sends the notification eventID of tenant again, with the same
// id, to its instance's current callback URL: a dead one is made pending
// and due now; one already delivered is enqueued again (its receiver sees
// the same eventId a second time and may dedupe it); one pending (NEW or
// FAILED, waiting for its next attempt) is attempted now, unless an
// attempt is in flight. A notification the log no longer holds is
// [ErrEventNotFound].
func (e *Engine) Replay(ctx context.Context, tenant, eventID string) error {
	ev, err := e.cfg.Events.Get(ctx, tenant, eventID)
	if err != nil {
		return err
	}
	switch ev.Status {
	case StatusDead:
		err := e.notifier.Replay(ctx, eventID)
		if !errors.Is(err, notify.ErrNotFound) {
			return err
		}
		// Pruned from the outbox: enqueue it again from the log.
	case StatusNotified:
	default: // pending: its next attempt is brought forward to now
		err := e.notifier.RetryNow(ctx, eventID)
		if !errors.Is(err, notify.ErrNotFound) {
			return err
		}
		// The log lags the outbox (or the outbox lost it): send it again.
	}
	return e.resend(ctx, ev)
}

// resend enqueues a logged notification again.
func (e *Engine) resend(ctx context.Context, ev LoggedEvent) error {
	d := notify.Delivery{
		ID:       ev.ID,
		OrderKey: ev.Instance + "\x00" + ev.ObjectType,
		Body:     ev.Body,
		Events:   ev.Events,
	}
	e.mu.Lock()
	if s := e.slots[ev.Instance]; s != nil {
		d.Endpoint = s.inst.Configuration.Events.CallbackURL
		d.Key = s.inst.Configuration.Events.SignatureKey
	}
	e.mu.Unlock()
	if d.Endpoint == "" {
		return fmt.Errorf("engine: replay %q: instance %q is not running, so it has no callback URL: %w", ev.ID, ev.Instance, ErrNotFound)
	}
	// The log holds it already, so the outbox's Enqueue will not log it:
	// it is NEW again, written before it is enqueued so that a delivery
	// that ends at once is not put back to NEW after it.
	if err := e.cfg.Events.Update(ctx, EventUpdate{ID: ev.ID, Status: StatusNew, At: e.cfg.Clock.Now()}); err != nil {
		return err
	}
	if err := e.notifier.Resend(ctx, d); err != nil {
		// Not enqueued: the log goes back to what it said.
		_ = e.cfg.Events.Update(context.WithoutCancel(ctx), EventUpdate{ID: ev.ID, Status: ev.Status, At: e.cfg.Clock.Now(), Reason: ev.Reason})
		return err
	}
	return nil
}

// ReplayAll replays every notification f selects, as [Engine.Replay]
// does, page by page, and returns how many it replayed. f.Tenant is
// required; f.Statuses defaults to DEAD alone.
func (e *Engine) ReplayAll(ctx context.Context, f EventFilter) (int, error) {
	if f.Tenant == "" {
		return 0, fmt.Errorf("%w: EventFilter.Tenant is required", ErrInvalid)
	}
	if len(f.Statuses) == 0 {
		f.Statuses = []EventStatus{StatusDead}
	}
	f.Limit = MaxListLimit
	var ids []string
	for {
		page, err := e.cfg.Events.List(ctx, f)
		if err != nil {
			return 0, err
		}
		for _, ev := range page {
			ids = append(ids, ev.ID)
		}
		if len(page) < f.Limit {
			break
		}
		f.After = page[len(page)-1].ID
	}
	n := 0
	for _, id := range ids { // collected first: a replay changes statuses
		if err := e.Replay(ctx, f.Tenant, id); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// EnableEndpoint re-enables the callback URL of the instance id of
// tenant after its receiver answered 410 Gone: its pending notifications
// are delivered again.
func (e *Engine) EnableEndpoint(ctx context.Context, tenant, id string) error {
	e.mu.Lock()
	s := e.slots[id]
	var url string
	if s != nil && s.rec.Tenant == tenant {
		url = s.inst.Configuration.Events.CallbackURL
	}
	e.mu.Unlock()
	if url == "" {
		return fmt.Errorf("engine: enable the endpoint of %q: %w", id, ErrNotFound)
	}
	return e.notifier.Enable(ctx, url)
}

// ResyncMode says what [Engine.Resync] does.
type ResyncMode string

// The resync modes.
const (
	// ResyncBaseline forgets the remembered records and takes a new
	// baseline now, reporting nothing.
	ResyncBaseline ResyncMode = "baseline"
	// ResyncFull reports every current record once, as CREATED or
	// UPDATED, and remembers them all.
	ResyncFull ResyncMode = "full"
)

// Resync runs a resync of one resource of the instance id of tenant, or
// of every resource when resource is "", now, as mode says, and returns
// when it is done: ResyncBaseline forgets what was remembered and takes a
// new baseline, reporting nothing; ResyncFull reports every current
// record once, as CREATED or UPDATED by its dates. A full resync's events
// keep their ids (ids derive from the record and its date), so a
// receiver that dedupes by event id may drop those it already had. A
// resource the instance does not poll, or another mode, is [ErrInvalid].
func (e *Engine) Resync(ctx context.Context, tenant, id, resource string, mode ResyncMode) error {
	e.mu.Lock()
	s := e.slots[id]
	e.mu.Unlock()
	switch {
	case s == nil || s.rec.Tenant != tenant:
		return fmt.Errorf("engine: resync %q: %w", id, ErrNotFound)
	case s.poller == nil:
		return fmt.Errorf("engine: resync %q: %w", id, ErrNotPolling)
	}
	var pm poller.ResyncMode
	switch mode {
	case ResyncBaseline:
		pm = poller.ResyncBaseline
	case ResyncFull:
		pm = poller.ResyncFull
	default:
		return fmt.Errorf("%w: resync mode %q: want %q or %q", ErrInvalid, mode, ResyncBaseline, ResyncFull)
	}
	if resource != "" && !slices.Contains(s.poller.Resources(), resource) {
		return fmt.Errorf("%w: resync: instance %q polls no resource %q", ErrInvalid, id, resource)
	}
	var errs []error
	for _, r := range e.pollerOf(s).Resync(ctx, resource, pm) {
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.Resource, r.Err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("engine: resync %q: %w", id, err)
	}
	return nil
}
