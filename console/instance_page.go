package console

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/javatime"
)

// secretShown is a secret's value on the instance page.
const secretShown = "•••"

// notices are what the instance page says after an action, by the
// ?done= of its redirect; any other value says nothing.
var notices = map[string]string{
	"enabled":  "The instance is enabled.",
	"disabled": "The instance is disabled: it polls nothing and takes no webhooks.",
	"polled":   "A poll was started; its events show in the event log.",
	"endpoint": "The callback URL is enabled again: its pending notifications are being delivered.",
}

// configRow is one configuration key on the instance page.
type configRow struct {
	Key, Value string
	Secret     bool
}

// instanceView is what instance.html renders.
type instanceView struct {
	ID, Name, Element string
	Tags              []string
	VendorType        string
	Enabled           bool
	Version           int64
	Created, Updated  string
	Config            []configRow
	Notice            string
	ConfirmError      string
	// Status is what the engine knows of the instance at run time; nil
	// when it is not running in this process.
	Status *engine.InstanceStatus
}

// showInstance is GET /instances/{id}: the instance's configuration
// (secrets as •••) and its actions.
func (h *Handler) showInstance(w http.ResponseWriter, r *http.Request, tenant string) {
	h.renderInstance(w, r, tenant, http.StatusOK, "", notices[r.URL.Query().Get("done")], "")
}

// renderInstance renders the instance page of the request's id with an
// error for the page, a notice, or an error by the delete button.
func (h *Handler) renderInstance(w http.ResponseWriter, r *http.Request, tenant string, status int, pageErr, notice, confirmErr string) {
	inst, err := h.cfg.Engine.Get(r.Context(), tenant, r.PathValue("id"))
	if err != nil {
		h.instanceError(w, r, tenant, err)
		return
	}
	b := parseBody(inst.Body)
	cfg := b.object("configuration")
	v := instanceView{ID: inst.ID, Name: b.str("name"), Element: inst.ElementKey, Tags: inst.Tags,
		VendorType: inst.VendorType, Enabled: inst.Enabled, Version: inst.Version,
		Created: inst.Created.UTC().Format("2006-01-02 15:04:05 UTC"), Updated: inst.Updated.UTC().Format("2006-01-02 15:04:05 UTC"),
		Notice: notice, ConfirmError: confirmErr}
	if st, err := h.cfg.Engine.Status(r.Context(), tenant, inst.ID); err == nil {
		v.Status = &st
	}
	for _, k := range slices.Sorted(maps.Keys(cfg)) {
		row := configRow{Key: k, Secret: element.IsSecretKey(k)}
		if row.Secret {
			row.Value = secretShown
		} else if k == keyPollerConfig {
			row.Value = indented(cfg.object(k).encode())
		} else {
			row.Value = cfg.str(k)
		}
		v.Config = append(v.Config, row)
	}
	h.render(w, r, status, "instance", page{Title: instanceTitle(b, inst.ID), Tenant: tenant, Nav: "instances",
		Error: pageErr, Data: v})
}

// indented returns JSON data indented, or as is if it is not JSON.
func indented(data []byte) string {
	var out strings.Builder
	var v any
	if json.Unmarshal(data, &v) != nil {
		return string(data)
	}
	enc := json.NewEncoder(&out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // html/template escapes the page
	if enc.Encode(v) != nil {
		return string(data)
	}
	return strings.TrimSpace(out.String())
}

// setEnabled is POST /instances/{id}/enabled: enabled=true or false.
func (h *Handler) setEnabled(w http.ResponseWriter, r *http.Request, tenant string) {
	on, err := strconv.ParseBool(r.PostFormValue("enabled"))
	if err != nil {
		h.badForm(w, r, tenant, err)
		return
	}
	if _, err := h.cfg.Engine.SetEnabled(r.Context(), tenant, r.PathValue("id"), on); err != nil {
		h.instanceError(w, r, tenant, err)
		return
	}
	done := "disabled"
	if on {
		done = "enabled"
	}
	h.done(w, r, done)
}

// pollNow is POST /instances/{id}/poll.
func (h *Handler) pollNow(w http.ResponseWriter, r *http.Request, tenant string) {
	err := h.cfg.Engine.PollNow(r.Context(), tenant, r.PathValue("id"))
	switch {
	case errors.Is(err, engine.ErrNotPolling):
		h.renderInstance(w, r, tenant, http.StatusConflict, "This instance polls nothing: it is not a polling instance, or it configures no object.", "", "")
	case err != nil:
		h.instanceError(w, r, tenant, err)
	default:
		h.done(w, r, "polled")
	}
}

// enableEndpoint is POST /instances/{id}/endpoint/enable.
func (h *Handler) enableEndpoint(w http.ResponseWriter, r *http.Request, tenant string) {
	if err := h.cfg.Engine.EnableEndpoint(r.Context(), tenant, r.PathValue("id")); err != nil {
		h.instanceError(w, r, tenant, err)
		return
	}
	h.done(w, r, "endpoint")
}

// deleteInstance is POST /instances/{id}/delete: confirm=yes and the
// version shown; then the instance list.
func (h *Handler) deleteInstance(w http.ResponseWriter, r *http.Request, tenant string) {
	if r.PostFormValue("confirm") != "yes" {
		h.renderInstance(w, r, tenant, http.StatusUnprocessableEntity, "", "", "Tick the box to confirm the deletion.")
		return
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64) // none: 0 deletes any version
	err := h.cfg.Engine.Delete(r.Context(), tenant, r.PathValue("id"), version)
	switch {
	case errors.Is(err, engine.ErrConflict):
		h.renderInstance(w, r, tenant, http.StatusConflict, "", "",
			"The instance was changed since this page was shown, and was not deleted: review it and delete again.")
	case err != nil:
		h.instanceError(w, r, tenant, err)
	default:
		http.Redirect(w, r, h.cfg.Prefix+"/instances", http.StatusSeeOther)
	}
}

// done sends the browser back to the instance page with a notice.
func (h *Handler) done(w http.ResponseWriter, r *http.Request, what string) {
	http.Redirect(w, r, h.cfg.Prefix+"/instances/"+url.PathEscape(r.PathValue("id"))+"?done="+what, http.StatusSeeOther)
}

// datePattern is GET /datepattern?pattern=&zone=: "now" on Config.Clock
// in the pattern and zone, or why they do not work, as JSON. It is the
// form's live check and changes nothing.
func (h *Handler) datePattern(w http.ResponseWriter, r *http.Request, _ string) {
	var out struct {
		Now   string `json:"now,omitempty"`
		Error string `json:"error,omitempty"`
	}
	q := r.URL.Query()
	_, err := javatime.LoadLocation(q.Get("zone"))
	var l *javatime.Layout
	if err == nil {
		l, err = javatime.NewLayout(q.Get("pattern"), q.Get("zone"))
	}
	if err != nil {
		// The sentinels' "javatime: ..." prefixes say nothing to a user.
		out.Error = strings.TrimPrefix(err.Error(), javatime.ErrPattern.Error()+": ")
		out.Error = strings.TrimPrefix(out.Error, "javatime: ")
	} else {
		out.Now = l.Format(h.cfg.Clock.Now())
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out) // a client gone is no error of ours
}
