package console

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/a12b7632/elementevents/engine"
)

// eventsPerPage is the rows of an event log page.
const eventsPerPage = 100

// dateTimeLocal is the value of a datetime-local input, to the minute;
// dateTimeLocalSeconds the same with seconds (a browser sends those when
// the value has them).
const (
	dateTimeLocal        = "2006-01-02T15:04"
	dateTimeLocalSeconds = "2006-01-02T15:04:05"
)

// eventStatuses are the statuses the status filter offers, in order.
var eventStatuses = []engine.EventStatus{engine.StatusNew, engine.StatusDispatched,
	engine.StatusNotified, engine.StatusFailed, engine.StatusDead}

// eventRow is one line of the event log.
type eventRow struct {
	ID, Instance, Element, ObjectType, ObjectID string
	Created                                     string // UTC, to the second
	Status                                      engine.EventStatus
	Pill                                        string // the pill's class
	More                                        int    // events after the first
	Error                                       string
}

// eventsForm is the event log's filters as the browser sent them, with
// the problem of each field.
type eventsForm struct {
	Instance, Status, From, To string
	Problems                   map[string]string // by field name
}

// listEvents is GET /events: the tenant's notifications, newest first,
// filtered by instance, status and a [from, to) window in UTC, a page of
// eventsPerPage at a time after the cursor "after".
func (h *Handler) listEvents(w http.ResponseWriter, r *http.Request, tenant string) {
	q := r.URL.Query()
	form := eventsForm{Instance: q.Get("instance"), Status: q.Get("status"), From: q.Get("from"), To: q.Get("to")}
	f, problems := eventFilter(tenant, form, q.Get("after"))
	data := map[string]any{"Form": &form, "Statuses": eventStatuses}
	if len(problems) > 0 {
		form.Problems = problems
		h.render(w, r, http.StatusUnprocessableEntity, "events", page{Title: "Event log", Tenant: tenant, Nav: "events",
			Error: "Some filters are not valid; see below.", Data: data})
		return
	}
	evs, err := h.cfg.Engine.Events(r.Context(), f)
	if errors.Is(err, engine.ErrInvalid) && f.After != "" {
		// The cursor's notification was pruned since the previous page.
		h.render(w, r, http.StatusBadRequest, "events", page{Title: "Event log", Tenant: tenant, Nav: "events",
			Error: "That page is no longer available: start again from the first page.", Data: data})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rows := make([]eventRow, len(evs))
	for i, ev := range evs {
		rows[i] = newEventRow(ev)
	}
	if len(evs) == eventsPerPage {
		data["Next"] = evs[len(evs)-1].ID
	}
	data["Rows"] = rows
	h.render(w, r, http.StatusOK, "events", page{Title: "Event log", Tenant: tenant, Nav: "events", Data: data})
}

// eventFilter reads the filter of form, or the problem of each field
// that is not valid.
func eventFilter(tenant string, form eventsForm, after string) (engine.EventFilter, map[string]string) {
	f := engine.EventFilter{Tenant: tenant, Instance: form.Instance, After: after, Limit: eventsPerPage}
	problems := map[string]string{}
	if form.Status != "" {
		s := engine.EventStatus(form.Status)
		if !s.Valid() {
			problems["status"] = "Choose one of the statuses."
		}
		f.Statuses = []engine.EventStatus{s}
	}
	var err error
	if f.Since, err = parseLocal(form.From); err != nil {
		problems["from"] = "Enter a date and time, as 2026-12-07T09:30 (UTC)."
	}
	if f.Until, err = parseLocal(form.To); err != nil {
		problems["to"] = "Enter a date and time, as 2026-12-07T09:30 (UTC)."
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		problems["to"] = "Must be after From."
	}
	return f, problems
}

// parseLocal reads a datetime-local value as UTC; "" is the zero time.
func parseLocal(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	layout := dateTimeLocal
	if len(v) > len(dateTimeLocal) {
		layout = dateTimeLocalSeconds
	}
	return time.ParseInLocation(layout, v, time.UTC)
}

// newEventRow is the row of ev.
func newEventRow(ev engine.LoggedEvent) eventRow {
	row := eventRow{ID: ev.ID, Instance: ev.Instance, ObjectType: ev.ObjectType, Status: ev.Status,
		Pill: statusPill(ev.Status), Created: ev.Created.UTC().Format(time.DateTime), Error: lastError(ev)}
	var b notificationHead
	if json.Unmarshal(ev.Body, &b) == nil { // a body that is not one shows as no element and no object
		row.Element = b.Message.ElementKey
		if n := len(b.Message.Events); n > 0 {
			row.ObjectID, row.More = b.Message.Events[0].ObjectID, n-1
		}
	}
	return row
}

// notificationHead is what the log shows of a notification body.
type notificationHead struct {
	Message struct {
		ElementKey string `json:"elementKey"`
		Events     []struct {
			ObjectID string `json:"objectId"`
		} `json:"events"`
	} `json:"message"`
}

// statusPill is the pill class of a status.
func statusPill(s engine.EventStatus) string {
	switch s {
	case engine.StatusNotified:
		return "ok"
	case engine.StatusFailed, engine.StatusDispatched:
		return "warn"
	case engine.StatusDead:
		return "bad"
	}
	return "off"
}

// lastError is what went wrong with ev: the DEAD reason, else its last
// attempt's error.
func lastError(ev engine.LoggedEvent) string {
	if ev.Status == engine.StatusDead && ev.Reason != "" {
		return ev.Reason
	}
	if n := len(ev.Attempts); n > 0 {
		return ev.Attempts[n-1].Error
	}
	return ""
}
