package console

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/a12b7632/elementevents/engine"
)

// instanceRow is one line of the instance list.
type instanceRow struct {
	ID, Name, Element, VendorType string
	Enabled                       bool
	Tags                          []string
	Updated                       string
	// Status is the instance's last poll and deliveries; zero when the
	// engine does not run it.
	Status engine.InstanceStatus
}

// listInstances is GET /instances: the tenant's instances, filtered by
// element, vendor type, tag and enabled, a page at a time.
func (h *Handler) listInstances(w http.ResponseWriter, r *http.Request, tenant string) {
	q := r.URL.Query()
	f := engine.Filter{Tenant: tenant, ElementKey: q.Get("element"), VendorType: q.Get("vendorType"),
		Tag: q.Get("tag"), After: q.Get("after"), Limit: 50}
	if v, err := strconv.ParseBool(q.Get("enabled")); err == nil {
		f.Enabled = &v
	}
	recs, err := h.cfg.Engine.List(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rows := make([]instanceRow, 0, len(recs))
	for _, rec := range recs {
		rows = append(rows, instanceRow{ID: rec.ID, Name: recordName(rec), Element: rec.ElementKey,
			VendorType: rec.VendorType, Enabled: rec.Enabled, Tags: rec.Tags, Updated: rec.Updated.UTC().Format("2006-01-02 15:04"),
			Status: h.instanceStatus(r, tenant, rec.ID)})
	}
	next := ""
	if len(recs) == f.Limit {
		next = recs[len(recs)-1].ID
	}
	h.render(w, r, http.StatusOK, "instances", page{Title: "Instances", Tenant: tenant, Nav: "instances",
		Data: map[string]any{"Rows": rows, "Next": next, "Filter": f, "Enabled": q.Get("enabled")}})
}

// recordName reads the "name" of a stored body; "" if it has none.
func recordName(rec engine.Record) string {
	var b struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(rec.Body, &b) // a stored body parses; a name that is not a string shows as none
	return b.Name
}

// instanceStatus returns the status of the instance id, zero when it is
// not running here; an outbox that cannot be read is logged.
func (h *Handler) instanceStatus(r *http.Request, tenant, id string) engine.InstanceStatus {
	st, err := h.cfg.Engine.Status(r.Context(), tenant, id)
	if err != nil && !isNotFound(err) {
		h.cfg.Logger.Error("console: instance status", "instance", id, "err", err)
	}
	return st
}
