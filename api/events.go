package api

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/a12b7632/elementevents/engine"
)

// eventStatuses are the statuses a status filter may name.
var eventStatuses = []engine.EventStatus{engine.StatusNew, engine.StatusDispatched,
	engine.StatusNotified, engine.StatusFailed, engine.StatusDead}

// listEvents is GET /instances/{id}/events: a page of the instance's
// notifications, newest first. Query: status (comma-separated or
// repeated), eventType, objectType, from, to (RFC 3339), after, limit.
func (h *Handler) listEvents(w http.ResponseWriter, r *request) error {
	f, err := eventFilter(r.URL.Query(), eventStatuses)
	if err != nil {
		return err
	}
	return h.writeEvents(w, r, f)
}

// listDeliveries is GET /instances/{id}/deliveries: the notifications
// whose delivery failed (status=failed: a retry is due) or was given up
// (status=dead); both when status is absent. Other query parameters as
// GET /instances/{id}/events.
func (h *Handler) listDeliveries(w http.ResponseWriter, r *request) error {
	q := r.URL.Query()
	f, err := eventFilter(q, []engine.EventStatus{engine.StatusFailed, engine.StatusDead})
	if err != nil {
		return err
	}
	if len(f.Statuses) == 0 {
		f.Statuses = []engine.EventStatus{engine.StatusFailed, engine.StatusDead}
	}
	return h.writeEvents(w, r, f)
}

// writeEvents writes the page of the instance {id}'s notifications that f
// selects, with X-Next-Cursor and Link when more may follow. An instance
// the tenant does not have and that has no events is 404.
func (h *Handler) writeEvents(w http.ResponseWriter, r *request, f engine.EventFilter) error {
	id := r.PathValue("id")
	f.Tenant, f.Instance = r.tenant.ID, id
	limit := f.Limit
	f.Limit = limit + 1
	evs, err := h.cfg.Engine.Events(r.Context(), f)
	if err != nil {
		return err
	}
	if len(evs) == 0 && f.After == "" {
		// A deleted instance's events stay listable; an id the tenant
		// never had is 404, as for every other route.
		if _, err := h.cfg.Engine.Get(r.Context(), r.tenant.ID, id); errors.Is(err, engine.ErrNotFound) {
			return err
		}
	}
	out := make([]event, 0, min(len(evs), limit))
	for i, ev := range evs {
		if i == limit {
			setNext(w, r, evs[i-1].ID)
			break
		}
		out = append(out, renderEvent(ev))
	}
	if len(evs) == limit && limit == engine.MaxListLimit {
		setNext(w, r, evs[limit-1].ID)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// getEvent is GET /instances/events/{eventId}: the notification, its
// status and every attempt.
func (h *Handler) getEvent(w http.ResponseWriter, r *request) error {
	ev, err := h.cfg.Engine.Event(r.Context(), r.tenant.ID, r.PathValue("eventId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderEvent(ev))
	return nil
}

// eventFilter reads the filter of an events query: status (among
// allowed, any case), eventType, objectType, from, to, after, limit.
func eventFilter(q url.Values, allowed []engine.EventStatus) (engine.EventFilter, error) {
	f := engine.EventFilter{EventType: q.Get("eventType"), ObjectType: q.Get("objectType"), After: q.Get("after")}
	var err error
	if f.Statuses, err = parseStatuses(q["status"], allowed); err != nil {
		return f, err
	}
	if f.Since, err = parseTime("from", q.Get("from")); err != nil {
		return f, err
	}
	if f.Until, err = parseTime("to", q.Get("to")); err != nil {
		return f, err
	}
	if f.Limit, err = parseLimit(q.Get("limit")); err != nil {
		return f, err
	}
	return f, nil
}

// parseStatuses reads status values, each comma-separated, any case.
func parseStatuses(values []string, allowed []engine.EventStatus) ([]engine.EventStatus, error) {
	var out []engine.EventStatus
	for _, v := range values {
		for s := range strings.SplitSeq(v, ",") {
			st := engine.EventStatus(strings.ToUpper(strings.TrimSpace(s)))
			if st == "" {
				continue
			}
			if !slices.Contains(allowed, st) {
				names := make([]string, len(allowed))
				for i, a := range allowed {
					names[i] = strings.ToLower(string(a))
				}
				return nil, badRequest("status: " + quote(s) + " is not one of " + strings.Join(names, ", "))
			}
			if !slices.Contains(out, st) {
				out = append(out, st)
			}
		}
	}
	return out, nil
}

// parseTime reads an RFC 3339 time; "" is the zero time.
func parseTime(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, badRequest(name + ": " + quote(s) + " is not an RFC 3339 time such as 2026-01-02T15:04:05Z")
	}
	return t, nil
}
