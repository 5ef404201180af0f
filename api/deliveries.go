package api

import (
	"errors"
	"net/http"

	"github.com/a12b7632/elementevents/engine"
)

// replay is POST /deliveries/{id}/replay: the notification is sent again
// with the same id (a dead one is made pending, a delivered one enqueued
// again, a pending one left as it is). 202 with the notification.
func (h *Handler) replay(w http.ResponseWriter, r *request) error {
	id := r.PathValue("id")
	if err := h.cfg.Engine.Replay(r.Context(), r.tenant.ID, id); err != nil {
		return err
	}
	ev, err := h.cfg.Engine.Event(r.Context(), r.tenant.ID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, renderEvent(ev))
	return nil
}

// replayFilter is the body of POST /deliveries/replay; each field may
// come in the query instead.
type replayFilter struct {
	// Instance keeps one instance's notifications.
	Instance string `json:"instance"`
	// Status is the statuses replayed, comma-separated; default dead.
	Status string `json:"status"`
	// From and To bound the notifications' creation time (RFC 3339).
	From string `json:"from"`
	To   string `json:"to"`
}

// replayed is the answer of POST /deliveries/replay.
type replayed struct {
	// Replayed counts the notifications replayed.
	Replayed int `json:"replayed"`
}

// replayAll is POST /deliveries/replay: every notification of the tenant
// that the filter selects (in the JSON body, or the query: instance,
// status, from, to; status defaults to dead) is replayed as POST
// /deliveries/{id}/replay does. 200 with {"replayed": n}.
func (h *Handler) replayAll(w http.ResponseWriter, r *request) error {
	data, err := readOptionalBody(r)
	if err != nil {
		return err
	}
	var rf replayFilter
	if data != nil {
		if err := decodeJSON(data, &rf, true); err != nil {
			return err
		}
	}
	q := r.URL.Query()
	fill := func(dst *string, key string) {
		if *dst == "" {
			*dst = q.Get(key)
		}
	}
	fill(&rf.Instance, "instance")
	fill(&rf.Status, "status")
	fill(&rf.From, "from")
	fill(&rf.To, "to")
	f := engine.EventFilter{Tenant: r.tenant.ID, Instance: rf.Instance}
	if f.Statuses, err = parseStatuses([]string{rf.Status}, eventStatuses); err != nil {
		return err
	}
	if f.Since, err = parseTime("from", rf.From); err != nil {
		return err
	}
	if f.Until, err = parseTime("to", rf.To); err != nil {
		return err
	}
	n, err := h.cfg.Engine.ReplayAll(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, replayed{Replayed: n})
	return nil
}

// enableEndpoint is PUT /instances/{id}/endpoint/enabled: the callback
// URL, disabled after its receiver answered 410 Gone, takes deliveries
// again. 204.
func (h *Handler) enableEndpoint(w http.ResponseWriter, r *request) error {
	if err := h.cfg.Engine.EnableEndpoint(r.Context(), r.tenant.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// poll is POST /instances/{id}/poll: a cycle starts as soon as a worker
// is free. 202; 409 for an instance that polls nothing.
func (h *Handler) poll(w http.ResponseWriter, r *request) error {
	if err := h.cfg.Engine.PollNow(r.Context(), r.tenant.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// resyncRequest is the body of POST /instances/{id}/resync.
type resyncRequest struct {
	// Resource is the resource to resync; empty for every one.
	Resource string `json:"resource"`
	// Mode is baseline (default) or full.
	Mode engine.ResyncMode `json:"mode"`
}

// resync is POST /instances/{id}/resync: it returns when the resync is
// done, 200 with the request as applied; 400 for a resource the instance
// does not poll, 409 for an instance that polls nothing, 502 when the
// vendor failed.
func (h *Handler) resync(w http.ResponseWriter, r *request) error {
	data, err := readOptionalBody(r)
	if err != nil {
		return err
	}
	var rr resyncRequest
	if data != nil {
		if err := decodeJSON(data, &rr, true); err != nil {
			return err
		}
	}
	switch rr.Mode {
	case "":
		rr.Mode = engine.ResyncBaseline
	case engine.ResyncBaseline, engine.ResyncFull:
	default:
		return badRequest("mode: " + quote(string(rr.Mode)) + " is not baseline or full")
	}
	err = h.cfg.Engine.Resync(r.Context(), r.tenant.ID, r.PathValue("id"), rr.Resource, rr.Mode)
	switch {
	case err == nil:
	case errors.Is(err, engine.ErrNotFound), errors.Is(err, engine.ErrNotPolling), errors.Is(err, engine.ErrInvalid):
		return err
	default:
		// The vendor failed: not the API's fault, nor the caller's.
		msg := err.Error()
		if inst, gerr := h.cfg.Engine.Get(r.Context(), r.tenant.ID, r.PathValue("id")); gerr == nil {
			msg = scrub(msg, bodySecrets(inst.Body)) // the poller redacts; this is a second guard
		}
		h.cfg.Logger.ErrorContext(r.Context(), "api: resync failed", "instance", r.PathValue("id"), "err", msg)
		return &Problem{Status: http.StatusBadGateway, Detail: "the resync could not complete: the vendor failed; the server's log has the cause"}
	}
	writeJSON(w, http.StatusOK, rr)
	return nil
}
