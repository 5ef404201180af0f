package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/signature"
)

// responseExcerpt is the most of a response body an attempt shows.
const responseExcerpt = 2 << 10

// hiddenValue stands for a header value the page does not show.
const hiddenValue = "hidden"

// header is one request header of a notification, as the page shows it.
type header struct{ Name, Value string }

// attemptView is one delivery attempt, as the page shows it.
type attemptView struct {
	At, Status, Latency, Error, Response string
	Truncated                            bool
}

// showEvent is GET /events/{id}: the notification's body, the headers it
// is sent with, every attempt, and the Replay button.
func (h *Handler) showEvent(w http.ResponseWriter, r *http.Request, tenant string) {
	h.renderEvent(w, r, tenant, http.StatusOK, "")
}

// renderEvent renders the page of the notification named by the path,
// with status and a page error; a missing or foreign one is 404.
func (h *Handler) renderEvent(w http.ResponseWriter, r *http.Request, tenant string, status int, msg string) {
	ev, err := h.cfg.Engine.Event(r.Context(), tenant, r.PathValue("id"))
	if isNotFound(err) {
		h.notFound(w, r, tenant)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := map[string]any{
		"Event":    ev,
		"Row":      newEventRow(ev),
		"Body":     prettyJSON(ev.Body),
		"Headers":  h.eventHeaders(r, tenant, ev),
		"Attempts": attemptViews(ev),
		"Replayed": r.URL.Query().Get("replayed") == "1" && msg == "",
	}
	h.render(w, r, status, "event", page{Title: "Event " + ev.ID, Tenant: tenant, Nav: "events", Error: msg, Data: data})
}

// replayEvent is POST /events/{id}/replay: the notification is sent
// again (engine.Replay), then back to its page with a flash.
func (h *Handler) replayEvent(w http.ResponseWriter, r *http.Request, tenant string) {
	id := r.PathValue("id")
	err := h.cfg.Engine.Replay(r.Context(), tenant, id)
	switch {
	case errors.Is(err, engine.ErrEventNotFound):
		h.notFound(w, r, tenant)
	case errors.Is(err, engine.ErrNotFound):
		// The notification is there, its instance is not running: no
		// callback URL to send it to.
		h.renderEvent(w, r, tenant, http.StatusConflict,
			"It cannot be replayed: its instance is deleted or not running, so it has no callback URL.")
	case err != nil:
		h.fail(w, r, err)
	default:
		http.Redirect(w, r, h.cfg.Prefix+"/events/"+url.PathEscape(id)+"?replayed=1", http.StatusSeeOther)
	}
}

// eventHeaders lists the headers the Notifier sends ev with. The log does
// not keep them, so they are rebuilt: the ids are the notification's, the
// timestamp is its last attempt's, and the signatures are hidden. When the
// instance is known to have no signature key, no signature is sent.
func (h *Handler) eventHeaders(r *http.Request, tenant string, ev engine.LoggedEvent) []header {
	ts := "(the time of each attempt)"
	if n := len(ev.Attempts); n > 0 {
		ts = strconv.FormatInt(ev.Attempts[n-1].At.Unix(), 10)
	}
	hs := []header{
		{"Content-Type", "application/json"},
		{signature.HeaderElementsID, ev.ID},
		{strings.ToLower(signature.HeaderWebhookID), ev.ID},
		{strings.ToLower(signature.HeaderWebhookTimestamp), ts},
	}
	inst, err := h.cfg.Engine.Get(r.Context(), tenant, ev.Instance)
	if err == nil && inst.Config != nil && len(inst.Config.Configuration.Events.SignatureKey) == 0 {
		return hs
	}
	return append(hs,
		header{signature.HeaderElementsSignature, hiddenValue},
		header{strings.ToLower(signature.HeaderWebhookSignature), hiddenValue})
}

// attemptViews returns ev's attempts, newest first.
func attemptViews(ev engine.LoggedEvent) []attemptView {
	out := make([]attemptView, 0, len(ev.Attempts))
	for i := len(ev.Attempts) - 1; i >= 0; i-- {
		a := ev.Attempts[i]
		v := attemptView{At: a.At.UTC().Format("2006-01-02 15:04:05.000"), Status: statusCode(a.Status),
			Latency: a.Latency.Round(time.Millisecond).String(), Error: a.Error}
		resp := a.Response
		if len(resp) > responseExcerpt {
			resp, v.Truncated = resp[:responseExcerpt], true
		}
		v.Response = strings.ToValidUTF8(string(resp), "\uFFFD")
		out = append(out, v)
	}
	return out
}

// statusCode shows an attempt's HTTP status; "none" when no response
// came.
func statusCode(code int) string {
	if code == 0 {
		return "none"
	}
	return strconv.Itoa(code)
}

// prettyJSON indents a notification body; one that is not JSON is shown
// as it is.
func prettyJSON(b []byte) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return buf.String()
}
