package engine

import (
	"fmt"
	"slices"

	"github.com/a12b7632/elementevents/notify"
)

// Valid reports whether s is one of the five statuses.
func (s EventStatus) Valid() bool {
	switch s {
	case StatusNew, StatusDispatched, StatusNotified, StatusFailed, StatusDead:
		return true
	}
	return false
}

// Match reports whether f selects e (its Tenant and its filters; not the
// cursor nor the limit). Logs that cannot filter in their query filter
// with it.
func (f EventFilter) Match(e LoggedEvent) bool {
	return e.Tenant == f.Tenant &&
		(f.Instance == "" || e.Instance == f.Instance) &&
		(len(f.Statuses) == 0 || slices.Contains(f.Statuses, e.Status)) &&
		(f.EventType == "" || slices.Contains(e.EventTypes, f.EventType)) &&
		(f.ObjectType == "" || e.ObjectType == f.ObjectType) &&
		f.InRange(e)
}

// InRange reports whether e was created in f's [Since, Until) window; a
// zero bound is no bound.
func (f EventFilter) InRange(e LoggedEvent) bool {
	return (f.Since.IsZero() || !e.Created.Before(f.Since)) &&
		(f.Until.IsZero() || e.Created.Before(f.Until))
}

// PageSize returns the number of notifications f asks for (Limit, with
// its default and cap applied), or [ErrInvalid] for a filter without a
// tenant, with a negative limit or with a status that is none of the
// five. Every log checks a filter with it.
func (f EventFilter) PageSize() (int, error) {
	switch {
	case f.Tenant == "":
		return 0, fmt.Errorf("%w: EventFilter.Tenant is required", ErrInvalid)
	case f.Limit < 0:
		return 0, fmt.Errorf("%w: EventFilter.Limit is %d", ErrInvalid, f.Limit)
	}
	for _, s := range f.Statuses {
		if !s.Valid() {
			return 0, fmt.Errorf("%w: EventFilter.Statuses holds %q, not a status", ErrInvalid, s)
		}
	}
	if f.Limit == 0 {
		return DefaultListLimit, nil
	}
	return min(f.Limit, MaxListLimit), nil
}

// Check returns [ErrInvalid] for a notification without a tenant, an id
// or a valid status. Every log checks what it appends with it.
func (e LoggedEvent) Check() error {
	switch {
	case e.Tenant == "":
		return fmt.Errorf("%w: LoggedEvent.Tenant is required (event %q)", ErrInvalid, e.ID)
	case e.ID == "":
		return fmt.Errorf("%w: LoggedEvent.ID is required", ErrInvalid)
	case !e.Status.Valid():
		return fmt.Errorf("%w: LoggedEvent.Status of %q is %q, not a status", ErrInvalid, e.ID, e.Status)
	}
	return nil
}

// Check returns [ErrInvalid] for an update without an id or a valid
// status. Every log checks its updates with it.
func (u EventUpdate) Check() error {
	switch {
	case u.ID == "":
		return fmt.Errorf("%w: EventUpdate.ID is required", ErrInvalid)
	case !u.Status.Valid():
		return fmt.Errorf("%w: EventUpdate.Status of %q is %q, not a status", ErrInvalid, u.ID, u.Status)
	}
	return nil
}

// Apply returns e changed by u: its status, Updated (u.At in UTC), the
// attempt appended (a copy) and the reason kept for StatusDead only. Logs
// that store whole notifications update them with it.
func (e LoggedEvent) Apply(u EventUpdate) LoggedEvent {
	e.Status = u.Status
	e.Updated = u.At.UTC()
	if u.Attempt != nil {
		e.Attempts = append(slices.Clip(e.Attempts), cloneAttempt(*u.Attempt))
	}
	e.Reason = ""
	if u.Status == StatusDead {
		e.Reason = u.Reason
	}
	return e
}

// cloneEvent returns a deep copy of e with every time in UTC: what the
// memory log stores of a notification handed in, and hands out of one it
// holds.
func cloneEvent(e LoggedEvent) LoggedEvent {
	e.EventTypes = slices.Clone(e.EventTypes)
	e.Body = slices.Clone(e.Body)
	e.Created, e.Updated = e.Created.UTC(), e.Updated.UTC()
	if e.Attempts != nil {
		as := make([]notify.Attempt, len(e.Attempts))
		for i, a := range e.Attempts {
			as[i] = cloneAttempt(a)
		}
		e.Attempts = as
	}
	return e
}

func cloneAttempt(a notify.Attempt) notify.Attempt {
	a.At = a.At.UTC()
	a.Response = slices.Clone(a.Response)
	return a
}
