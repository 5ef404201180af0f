package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/a12b7632/elementevents/engine"
)

// createInstance is POST /instances: 201 with the instance, its ETag and
// Location.
func (h *Handler) createInstance(w http.ResponseWriter, r *request) error {
	data, err := readBody(r)
	if err != nil {
		return err
	}
	if data, err = dropReadOnly(data); err != nil {
		return err
	}
	inst, err := h.cfg.Engine.Create(r.Context(), r.tenant.ID, data)
	if err != nil {
		return err
	}
	w.Header().Set("Location", requestPath(r.Request)+"/"+url.PathEscape(inst.ID))
	writeInstance(w, http.StatusCreated, inst)
	return nil
}

// listInstances is GET /instances: a page of the tenant's instances, in
// id order. Query: element, tag, enabled, vendorType, after, limit. When
// more may follow, the answer has X-Next-Cursor (the after of the next
// page) and a Link rel="next" header.
func (h *Handler) listInstances(w http.ResponseWriter, r *request) error {
	q := r.URL.Query()
	f := engine.Filter{Tenant: r.tenant.ID, ElementKey: q.Get("element"), Tag: q.Get("tag"),
		VendorType: q.Get("vendorType"), After: q.Get("after")}
	if s := q.Get("enabled"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return badRequest("enabled: " + strconv.Quote(s) + " is not true or false")
		}
		f.Enabled = &b
	}
	limit, err := parseLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	f.Limit = limit + 1 // one more tells whether a next page exists
	recs, err := h.cfg.Engine.List(r.Context(), f)
	if err != nil {
		return err
	}
	// The page is written as the bodies are rendered: a hundred of them
	// through encoding/json would be re-validated and compacted again.
	buf := getPage()
	defer putPage(buf)
	out := append((*buf)[:0], '[')
	for i, rec := range recs {
		if i == limit {
			setNext(w, r, recs[i-1].ID)
			break
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = appendInstance(out, rec, "") // the token is the body's
	}
	out = append(out, ']')
	if len(recs) == limit && limit == engine.MaxListLimit {
		// The store caps a page at MaxListLimit: the extra record was not
		// asked for, so a full page may have a next one.
		setNext(w, r, recs[limit-1].ID)
	}
	writeRaw(w, http.StatusOK, out)
	*buf = out // the grown buffer goes back to the pool
	return nil
}

// parseLimit reads the limit query parameter: default
// engine.DefaultListLimit, at most engine.MaxListLimit.
func parseLimit(s string) (int, error) {
	if s == "" {
		return engine.DefaultListLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > engine.MaxListLimit {
		return 0, badRequest("limit: " + strconv.Quote(s) + " is not a number from 1 to " + strconv.Itoa(engine.MaxListLimit))
	}
	return n, nil
}

// setNext sets the X-Next-Cursor and Link rel="next" headers of a page
// whose last item is last.
func setNext(w http.ResponseWriter, r *request, last string) {
	u, err := url.ParseRequestURI(r.RequestURI)
	if err != nil || r.RequestURI == "" {
		u = &url.URL{Path: r.URL.Path, RawQuery: r.URL.RawQuery}
	}
	q := u.Query()
	q.Set("after", last)
	u.RawQuery = q.Encode()
	w.Header().Set("X-Next-Cursor", last)
	w.Header().Set("Link", "<"+u.RequestURI()+`>; rel="next"`)
}

// getInstance is GET /instances/{id}.
func (h *Handler) getInstance(w http.ResponseWriter, r *request) error {
	inst, err := h.cfg.Engine.Get(r.Context(), r.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeInstance(w, http.StatusOK, inst)
	return nil
}

// replaceInstance is PUT /instances/{id}: the body replaces the instance.
// A secret configuration value written "***" (as a GET shows it) keeps
// the stored one.
func (h *Handler) replaceInstance(w http.ResponseWriter, r *request) error {
	id, data, version, err := h.readWrite(r)
	if err != nil {
		return err
	}
	if hasRedacted(data) {
		cur, err := h.cfg.Engine.Get(r.Context(), r.tenant.ID, id)
		if err != nil {
			return err
		}
		if version == 0 {
			version = cur.Version // the secrets kept are this version's
		}
		if data, err = keepSecrets(data, cur.Body); err != nil {
			return err
		}
	}
	inst, err := h.cfg.Engine.Update(r.Context(), r.tenant.ID, id, version, data)
	if err != nil {
		return err
	}
	writeInstance(w, http.StatusOK, inst)
	return nil
}

// patchInstance is PATCH /instances/{id}: a JSON merge patch (RFC 7396)
// of the body. A secret written "***" is left out of the patch (kept).
func (h *Handler) patchInstance(w http.ResponseWriter, r *request) error {
	id, data, version, err := h.readWrite(r)
	if err != nil {
		return err
	}
	if hasRedacted(data) {
		if data, err = dropRedacted(data); err != nil {
			return err
		}
	}
	inst, err := h.cfg.Engine.Patch(r.Context(), r.tenant.ID, id, version, data)
	if err != nil {
		return err
	}
	writeInstance(w, http.StatusOK, inst)
	return nil
}

// readWrite reads what a PUT or PATCH of /instances/{id} names: the id,
// the body, and the version If-Match asks for (0: any).
func (h *Handler) readWrite(r *request) (id string, data []byte, version int64, err error) {
	id = r.PathValue("id")
	if data, err = readBody(r); err != nil {
		return "", nil, 0, err
	}
	if data, err = dropReadOnly(data); err != nil {
		return "", nil, 0, err
	}
	if version, err = h.ifMatch(r, id); err != nil {
		return "", nil, 0, err
	}
	return id, data, version, nil
}

// deleteInstance is DELETE /instances/{id}: 204.
func (h *Handler) deleteInstance(w http.ResponseWriter, r *request) error {
	id := r.PathValue("id")
	version, err := h.ifMatch(r, id)
	if err != nil {
		return err
	}
	if err := h.cfg.Engine.Delete(r.Context(), r.tenant.ID, id, version); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ifMatch returns the version the request's If-Match names (0: any).
func (h *Handler) ifMatch(r *request, id string) (int64, error) {
	return ifMatch(r, func() (int64, error) {
		inst, err := h.cfg.Engine.Get(r.Context(), r.tenant.ID, id)
		if err != nil {
			return 0, err
		}
		return inst.Version, nil
	})
}

// enable is PUT /instances/{id}/enabled.
func (h *Handler) enable(w http.ResponseWriter, r *request) error {
	return h.setEnabled(w, r, r.PathValue("id"), true)
}

// disable is DELETE /instances/{id}/enabled.
func (h *Handler) disable(w http.ResponseWriter, r *request) error {
	return h.setEnabled(w, r, r.PathValue("id"), false)
}

// enableByToken is PUT /instances/enabled, the instance named by the
// Element token of the Authorization header.
func (h *Handler) enableByToken(w http.ResponseWriter, r *request) error {
	id, err := h.byToken(r)
	if err != nil {
		return err
	}
	return h.setEnabled(w, r, id, true)
}

// disableByToken is DELETE /instances/enabled.
func (h *Handler) disableByToken(w http.ResponseWriter, r *request) error {
	id, err := h.byToken(r)
	if err != nil {
		return err
	}
	return h.setEnabled(w, r, id, false)
}

// byToken returns the id of the caller's instance whose token the request
// carries: 400 without one, 404 when no instance of the caller has it.
func (h *Handler) byToken(r *request) (string, error) {
	if r.tenant.ElementToken == "" {
		return "", badRequest(`this route needs the instance token: "Authorization: User <secret>, Organization <secret>, Element <token>"`)
	}
	inst, err := h.cfg.Engine.ByToken(r.Context(), r.tenant.ElementToken)
	if err != nil {
		return "", err
	}
	if inst.Tenant != r.tenant.ID {
		return "", engine.ErrNotFound
	}
	return inst.ID, nil
}

// setEnabled enables or disables an instance and writes it.
func (h *Handler) setEnabled(w http.ResponseWriter, r *request, id string, enabled bool) error {
	inst, err := h.cfg.Engine.SetEnabled(r.Context(), r.tenant.ID, id, enabled)
	if err != nil {
		return err
	}
	writeInstance(w, http.StatusOK, inst)
	return nil
}

// dropReadOnly removes from a written body the keys an answer sets from
// the record (version, createdDate, updatedDate), so that a body read
// with GET can be written back without storing stale copies of them.
func dropReadOnly(data []byte) ([]byte, error) {
	if !bytes.Contains(data, []byte(`"`+fieldVersion+`"`)) && !bytes.Contains(data, []byte(`"`+fieldCreated+`"`)) &&
		!bytes.Contains(data, []byte(`"`+fieldUpdated+`"`)) {
		return data, nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil || top == nil {
		return data, nil // not an object: the engine says why, with the offset
	}
	delete(top, fieldVersion)
	delete(top, fieldCreated)
	delete(top, fieldUpdated)
	return json.Marshal(top)
}
