package engine

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/a12b7632/elementevents/notify"
)

// EventStatus is where a logged notification is in its life.
type EventStatus string

// The statuses of a logged notification, as the documented platform
// names them.
const (
	// StatusNew: stored in the outbox, no attempt made yet (or replayed).
	StatusNew EventStatus = "NEW"
	// StatusDispatched: an attempt is in flight.
	StatusDispatched EventStatus = "DISPATCHED"
	// StatusNotified: the callback answered 2xx.
	StatusNotified EventStatus = "NOTIFIED"
	// StatusFailed: the last attempt failed; another is scheduled.
	StatusFailed EventStatus = "FAILED"
	// StatusDead: given up (dead-lettered); it can be replayed.
	StatusDead EventStatus = "DEAD"
)

// DefaultRetention is how long an [EventLog] keeps a notification after
// it was logged, as the documented platform keeps its events: 7 days.
const DefaultRetention = 7 * 24 * time.Hour

// ErrEventNotFound reports a notification the log does not hold, or that
// belongs to another tenant.
var ErrEventNotFound = errors.New("engine: event not found")

// LoggedEvent is one notification as the event log keeps it: what was
// sent, to whom it belongs, its status and every attempt.
type LoggedEvent struct {
	// ID is the notification's eventId (the delivery id). Unique in a log.
	ID string
	// Tenant and Instance own the notification.
	Tenant, Instance string
	// ObjectType is the object type of its events; EventTypes the
	// distinct event types among them (CREATED, UPDATED, ...), sorted.
	ObjectType string
	EventTypes []string
	// Events is the number of events in Body.
	Events int
	// Body is the notification JSON as sent.
	Body json.RawMessage
	// Status is where it is in its life.
	Status EventStatus
	// Created is when it was logged (published); Updated when its status
	// last changed.
	Created, Updated time.Time
	// Attempts lists every attempt made, oldest first.
	Attempts []notify.Attempt
	// Reason says why a DEAD notification was given up.
	Reason string
}

// EventFilter selects the notifications [EventLog.List] returns.
type EventFilter struct {
	// Tenant whose notifications are listed. Required.
	Tenant string
	// Instance, when set, keeps one instance's notifications.
	Instance string
	// Statuses, when not empty, keeps the notifications in one of them.
	Statuses []EventStatus
	// EventType and ObjectType, when set, keep the notifications with an
	// event of that type, of that object type.
	EventType, ObjectType string
	// Since and Until, when not zero, keep the notifications created at or
	// after Since and before Until.
	Since, Until time.Time
	// After is the cursor: the ID of the last notification of the previous
	// page. Lists run newest first (by Created, then ID, descending). An
	// ID the tenant has no notification of (pruned since that page, say)
	// is [ErrInvalid], not an empty page, which would read as the end.
	After string
	// Limit is the most returned: zero means DefaultListLimit, more than
	// MaxListLimit means MaxListLimit, negative is [ErrInvalid].
	Limit int
}

// EventUpdate is one change of a logged notification's status.
type EventUpdate struct {
	// ID names the notification.
	ID string
	// Status is its new status.
	Status EventStatus
	// At is when the change happened.
	At time.Time
	// Attempt, when not nil, is appended to its attempts.
	Attempt *notify.Attempt
	// Reason is kept for StatusDead; cleared otherwise.
	Reason string
}

// EventLog keeps the notifications of every instance, with their status
// and attempts, for a retention time. Implementations must be safe for
// concurrent use and pass the conformance suite in package eventlogtest.
// Times are passed in by the caller; a log never reads a clock.
type EventLog interface {
	// Append logs new notifications. One whose ID the log holds already is
	// skipped, not an error (a re-published batch).
	Append(ctx context.Context, evs ...LoggedEvent) error

	// Update applies status changes; an update of an ID the log does not
	// hold (pruned, or never logged) is skipped.
	Update(ctx context.Context, us ...EventUpdate) error

	// Get returns the notification id of tenant, or [ErrEventNotFound].
	Get(ctx context.Context, tenant, id string) (LoggedEvent, error)

	// List returns the notifications f selects, newest first, at most
	// f.Limit after the cursor f.After. A page shorter than the limit is
	// the last.
	List(ctx context.Context, f EventFilter) ([]LoggedEvent, error)

	// Prune removes the notifications created before before, and returns
	// how many it removed.
	Prune(ctx context.Context, before time.Time) (int, error)
}
