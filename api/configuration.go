package api

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/engine"
)

// property is one configuration key as GET and PATCH
// /instances/{id}/configuration/{key} show it, as the documented platform
// does.
type property struct {
	Key           string          `json:"key"`
	PropertyValue json.RawMessage `json:"propertyValue"`
}

// configurationOf returns the configuration object of a stored body, its
// secrets redacted; {} when it has none.
func configurationOf(body json.RawMessage) map[string]json.RawMessage {
	var b struct {
		Configuration json.RawMessage `json:"configuration"`
	}
	var c map[string]json.RawMessage
	if json.Unmarshal(body, &b) == nil {
		_ = json.Unmarshal(redactConfiguration(b.Configuration), &c)
	}
	if c == nil {
		c = map[string]json.RawMessage{}
	}
	return c
}

// getConfiguration is GET /instances/{id}/configuration: the
// configuration object, secrets as "***".
func (h *Handler) getConfiguration(w http.ResponseWriter, r *request) error {
	inst, err := h.cfg.Engine.Get(r.Context(), r.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(inst.Version))
	writeJSON(w, http.StatusOK, configurationOf(inst.Body))
	return nil
}

// getConfigurationKey is GET /instances/{id}/configuration/{key}:
// {"key", "propertyValue"}, 404 when the instance has no such key.
func (h *Handler) getConfigurationKey(w http.ResponseWriter, r *request) error {
	inst, err := h.cfg.Engine.Get(r.Context(), r.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeProperty(w, inst, r.PathValue("key"))
}

// writeProperty writes one key of inst's configuration with its ETag.
func writeProperty(w http.ResponseWriter, inst *engine.Instance, key string) error {
	v, ok := configurationOf(inst.Body)[key]
	if !ok {
		return &Problem{Status: http.StatusNotFound, Detail: "the instance has no configuration key " + quote(key)}
	}
	w.Header().Set("ETag", etag(inst.Version))
	writeJSON(w, http.StatusOK, property{Key: key, PropertyValue: v})
	return nil
}

// patchConfigurationKey is PATCH /instances/{id}/configuration/{key} with
// {"propertyValue": ...}: a merge patch of that key alone (null removes
// it; "***" for a secret key keeps it). If-Match as PATCH /instances/{id}.
func (h *Handler) patchConfigurationKey(w http.ResponseWriter, r *request) error {
	id, key := r.PathValue("id"), r.PathValue("key")
	data, err := readBody(r)
	if err != nil {
		return err
	}
	var p struct {
		PropertyValue json.RawMessage `json:"propertyValue"`
	}
	if err := decodeJSON(data, &p, false); err != nil {
		return err
	}
	if p.PropertyValue == nil {
		return badRequest(`propertyValue: required; send {"propertyValue": "..."}`)
	}
	version, err := h.ifMatch(r, id)
	if err != nil {
		return err
	}
	if element.IsSecretKey(key) && string(bytes.TrimSpace(p.PropertyValue)) == `"`+redacted+`"` {
		// The value as a GET shows it: nothing to change.
		inst, err := h.cfg.Engine.Get(r.Context(), r.tenant.ID, id)
		if err != nil {
			return err
		}
		if version != 0 && version != inst.Version {
			return &engine.ConflictError{ID: id, Stored: inst.Version, Base: version}
		}
		return writeProperty(w, inst, key)
	}
	patch := marshal(map[string]map[string]json.RawMessage{"configuration": {key: p.PropertyValue}})
	inst, err := h.cfg.Engine.Patch(r.Context(), r.tenant.ID, id, version, patch)
	if err != nil {
		return err
	}
	if string(bytes.TrimSpace(p.PropertyValue)) == "null" {
		w.Header().Set("ETag", etag(inst.Version))
		writeJSON(w, http.StatusOK, property{Key: key, PropertyValue: json.RawMessage("null")})
		return nil
	}
	return writeProperty(w, inst, key)
}

// hasRedacted reports whether a body may hold a secret written "***".
func hasRedacted(data []byte) bool {
	return bytes.Contains(data, []byte(`"`+redacted+`"`))
}

// keepSecrets returns the instance body data with every secret
// configuration value written "***" replaced by the stored body's value
// (or removed when the stored body has none). A body that is not an
// object is returned as is, for the engine to report.
func keepSecrets(data, stored []byte) ([]byte, error) {
	return editConfiguration(data, func(k string, c map[string]json.RawMessage) {
		var s struct {
			Configuration map[string]json.RawMessage `json:"configuration"`
		}
		_ = json.Unmarshal(stored, &s) // a stored body is an object
		if v, ok := s.Configuration[k]; ok {
			c[k] = v
		} else {
			delete(c, k)
		}
	})
}

// dropRedacted returns the merge patch data without its secret
// configuration values written "***", so that they are kept.
func dropRedacted(data []byte) ([]byte, error) {
	return editConfiguration(data, func(k string, c map[string]json.RawMessage) { delete(c, k) })
}

// editConfiguration calls edit for every secret key of data's
// configuration whose value is "***", and returns data re-encoded.
func editConfiguration(data []byte, edit func(key string, c map[string]json.RawMessage)) ([]byte, error) {
	var b map[string]json.RawMessage
	if json.Unmarshal(data, &b) != nil || b == nil {
		return data, nil
	}
	var c map[string]json.RawMessage
	if json.Unmarshal(b["configuration"], &c) != nil || c == nil {
		return data, nil
	}
	for k, v := range c {
		if element.IsSecretKey(k) && string(bytes.TrimSpace(v)) == `"`+redacted+`"` {
			edit(k, c)
		}
	}
	b["configuration"] = marshal(c)
	return marshal(b), nil
}

// quote quotes a name from the request for a problem's detail.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
