package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/a12b7632/elementevents/notify"
)

// loggingOutbox is a notify.Outbox that logs every move of a delivery in
// an EventLog: Enqueue as NEW, Claim as DISPATCHED, Ack as NOTIFIED,
// Retry as FAILED, DeadLetter as DEAD, Replay as NEW, Release as NEW or
// FAILED (whether the delivery had attempts when claimed).
//
// The outbox is the source of truth: each call goes to it first, and only
// a change it made is logged. A log that fails never fails or loses a
// delivery: its error goes to onError and the call returns the outbox's
// answer. So the log may lag or miss a step (a crash between the two
// writes), never the deliveries.
type loggingOutbox struct {
	notify.Outbox // List, Endpoints and SetDisabled pass through
	log           EventLog
	tenantOf      func(instanceID string) string
	onError       func(error)

	mu sync.Mutex
	// claimed remembers each delivery out on a claim (until Ack, Retry,
	// Release or DeadLetter): when it was claimed, for a DeadLetter
	// without an attempt, and whether it had attempts, for a Release.
	claimed map[string]claim
}

type claim struct {
	at        time.Time
	attempted bool
}

// newLoggingOutbox returns o logging to log. tenantOf names the tenant of
// an instance (the Notifier's OrderKey starts with the instance id);
// onError receives the log's errors, which never reach the outbox's
// callers. Times come from the calls: now and next for Enqueue, Claim,
// Release and Replay; the attempt's end (At plus Latency) for Ack, Retry
// and DeadLetter.
func newLoggingOutbox(o notify.Outbox, log EventLog, tenantOf func(instanceID string) string, onError func(error)) notify.Outbox {
	return &loggingOutbox{Outbox: o, log: log, tenantOf: tenantOf, onError: onError, claimed: make(map[string]claim)}
}

// fail hands a log error to onError, naming the call and the delivery.
func (l *loggingOutbox) fail(op, id string, err error) {
	if err != nil && l.onError != nil {
		l.onError(fmt.Errorf("engine: event log: %s %q: %w", op, id, err))
	}
}

func (l *loggingOutbox) Enqueue(ctx context.Context, now time.Time, ds ...notify.Delivery) error {
	if err := l.Outbox.Enqueue(ctx, now, ds...); err != nil {
		return err
	}
	evs := make([]LoggedEvent, 0, len(ds))
	for _, d := range ds {
		e, err := l.logged(d, now)
		if err == nil {
			err = e.Check()
		}
		if err != nil {
			l.fail("enqueue", d.ID, err)
			if e.Check() != nil {
				continue // nothing to log it under
			}
		}
		evs = append(evs, e)
	}
	if len(evs) > 0 {
		l.fail("enqueue", evs[0].ID, l.log.Append(ctx, evs...))
	}
	return nil
}

// logged is d as the log keeps it when enqueued at now. The instance is
// its OrderKey up to the first NUL; the object type and event types are
// read from its body, which an error is about when it cannot be read
// (the notification is logged all the same).
func (l *loggingOutbox) logged(d notify.Delivery, now time.Time) (LoggedEvent, error) {
	instance, objectType, _ := strings.Cut(d.OrderKey, "\x00")
	e := LoggedEvent{
		ID: d.ID, Tenant: l.tenantOf(instance), Instance: instance, ObjectType: objectType,
		Events: d.Events, Body: d.Body, Status: StatusNew, Created: now, Updated: now,
	}
	var note struct {
		Message struct {
			Events []struct {
				EventType  string `json:"eventType"`
				ObjectType string `json:"objectType"`
			} `json:"events"`
		} `json:"message"`
	}
	if err := json.Unmarshal(d.Body, &note); err != nil {
		return e, fmt.Errorf("read the body's events: %w", err)
	}
	for _, ev := range note.Message.Events {
		if ev.ObjectType != "" && e.ObjectType == "" {
			e.ObjectType = ev.ObjectType
		}
		if ev.EventType != "" && !slices.Contains(e.EventTypes, ev.EventType) {
			e.EventTypes = append(e.EventTypes, ev.EventType)
		}
	}
	slices.Sort(e.EventTypes)
	return e, nil
}

func (l *loggingOutbox) Claim(ctx context.Context, endpoint string, now time.Time, lease time.Duration, max int) ([]notify.Delivery, error) {
	ds, err := l.Outbox.Claim(ctx, endpoint, now, lease, max)
	if err != nil || len(ds) == 0 {
		return ds, err
	}
	us := make([]EventUpdate, len(ds))
	l.mu.Lock()
	for i, d := range ds {
		us[i] = EventUpdate{ID: d.ID, Status: StatusDispatched, At: now}
		l.claimed[d.ID] = claim{at: now, attempted: len(d.Attempts) > 0}
	}
	l.mu.Unlock()
	l.fail("claim", ds[0].ID, l.log.Update(ctx, us...))
	return ds, nil
}

// settle forgets id's claim and returns it.
func (l *loggingOutbox) settle(id string) (claim, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.claimed[id]
	delete(l.claimed, id)
	return c, ok
}

func (l *loggingOutbox) Ack(ctx context.Context, id string, a notify.Attempt) error {
	if err := l.Outbox.Ack(ctx, id, a); err != nil {
		return err
	}
	l.settle(id)
	l.fail("ack", id, l.log.Update(ctx, EventUpdate{ID: id, Status: StatusNotified, At: a.At.Add(a.Latency), Attempt: &a}))
	return nil
}

func (l *loggingOutbox) Retry(ctx context.Context, id string, a notify.Attempt, next time.Time) error {
	if err := l.Outbox.Retry(ctx, id, a, next); err != nil {
		return err
	}
	l.settle(id)
	l.fail("retry", id, l.log.Update(ctx, EventUpdate{ID: id, Status: StatusFailed, At: a.At.Add(a.Latency), Attempt: &a}))
	return nil
}

func (l *loggingOutbox) Release(ctx context.Context, id string, next time.Time) error {
	if err := l.Outbox.Release(ctx, id, next); err != nil {
		return err
	}
	status := StatusNew
	if c, _ := l.settle(id); c.attempted {
		status = StatusFailed
	}
	l.fail("release", id, l.log.Update(ctx, EventUpdate{ID: id, Status: status, At: next}))
	return nil
}

func (l *loggingOutbox) DeadLetter(ctx context.Context, id string, a notify.Attempt, reason string) error {
	if err := l.Outbox.DeadLetter(ctx, id, a, reason); err != nil {
		return err
	}
	c, _ := l.settle(id)
	u := EventUpdate{ID: id, Status: StatusDead, At: c.at, Reason: reason}
	if !a.At.IsZero() || a.Status != 0 || a.Error != "" {
		u.At, u.Attempt = a.At.Add(a.Latency), &a
	}
	l.fail("dead-letter", id, l.log.Update(ctx, u))
	return nil
}

func (l *loggingOutbox) Replay(ctx context.Context, id string, next time.Time) error {
	if err := l.Outbox.Replay(ctx, id, next); err != nil {
		return err
	}
	l.fail("replay", id, l.log.Update(ctx, EventUpdate{ID: id, Status: StatusNew, At: next}))
	return nil
}

var _ notify.Outbox = (*loggingOutbox)(nil)
