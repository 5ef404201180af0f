package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/engine"
)

// redacted stands for a secret value in every answer.
const redacted = "***"

// The keys the API adds to a stored instance body when it renders it.
const (
	fieldID       = "id"
	fieldToken    = "token"
	fieldDisabled = "disabled"
	fieldVersion  = "version"
	fieldCreated  = "createdDate"
	fieldUpdated  = "updatedDate"
)

// maxExcerpt bounds the response excerpt of a rendered attempt, in bytes.
const maxExcerpt = 1024

// renderInstance returns the JSON of an instance: its stored body, every
// secret configuration value as "***", with id, token, disabled, version,
// createdDate and updatedDate set from the record; the token, when empty,
// is the body's. Members are in key order, as encoding/json writes a map.
func renderInstance(rec engine.Record, token string) json.RawMessage {
	return appendInstance(nil, rec, token)
}

// renderInstanceMap is renderInstance through encoding/json's maps: the
// path of a body appendInstance does not copy as written, and the
// reference its tests hold it to.
func renderInstanceMap(rec engine.Record, token string) json.RawMessage {
	var b map[string]json.RawMessage
	if json.Unmarshal(rec.Body, &b) != nil || b == nil {
		b = map[string]json.RawMessage{}
	}
	if raw, ok := b["configuration"]; ok {
		b["configuration"] = redactConfiguration(raw)
	}
	set := func(k string, v any) { b[k], _ = json.Marshal(v) }
	set(fieldID, rec.ID)
	if token != "" {
		set(fieldToken, token)
	}
	set(fieldDisabled, !rec.Enabled)
	set(fieldVersion, rec.Version)
	set(fieldCreated, rec.Created.UTC().Format(time.RFC3339Nano))
	set(fieldUpdated, rec.Updated.UTC().Format(time.RFC3339Nano))
	return marshal(b)
}

// redactConfiguration returns a configuration object with the value of
// every secret key replaced by "***"; anything but an object is returned
// as is.
func redactConfiguration(raw json.RawMessage) json.RawMessage {
	var c map[string]json.RawMessage
	if json.Unmarshal(raw, &c) != nil || c == nil {
		return raw
	}
	for k := range c {
		if element.IsSecretKey(k) {
			c[k] = json.RawMessage(`"` + redacted + `"`)
		}
	}
	return marshal(c)
}

// marshal encodes v without escaping <, > and &, as the engine stores
// bodies.
func marshal(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // maps of raw JSON and plain structs encode
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// writeJSON writes v as the JSON answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(marshal(v))
}

// writeRaw writes b, JSON the handler built, as the answer.
func writeRaw(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeInstance writes an instance with its ETag.
func writeInstance(w http.ResponseWriter, status int, inst *engine.Instance) {
	w.Header().Set("ETag", etag(inst.Version))
	writeJSON(w, status, renderInstance(inst.Record, inst.Token))
}

// event is a logged notification as the API renders it.
type event struct {
	ID          string          `json:"id"`
	InstanceID  string          `json:"instanceId"`
	ObjectType  string          `json:"objectType"`
	EventTypes  []string        `json:"eventTypes"`
	Events      int             `json:"events"`
	Status      string          `json:"status"`
	Reason      string          `json:"reason,omitempty"`
	CreatedDate string          `json:"createdDate"`
	UpdatedDate string          `json:"updatedDate"`
	Body        json.RawMessage `json:"body"`
	Attempts    []attempt       `json:"attempts"`
}

// attempt is one delivery attempt as the API renders it.
type attempt struct {
	Date       string `json:"date"`
	StatusCode int    `json:"statusCode"`
	LatencyMs  int64  `json:"latencyMs"`
	Error      string `json:"error,omitempty"`
	Response   string `json:"response,omitempty"`
}

// renderEvent returns the API form of a logged notification.
func renderEvent(ev engine.LoggedEvent) event {
	out := event{
		ID: ev.ID, InstanceID: ev.Instance, ObjectType: ev.ObjectType,
		EventTypes: ev.EventTypes, Events: ev.Events, Status: string(ev.Status), Reason: ev.Reason,
		CreatedDate: ev.Created.UTC().Format(time.RFC3339Nano),
		UpdatedDate: ev.Updated.UTC().Format(time.RFC3339Nano),
		Body:        ev.Body, Attempts: []attempt{},
	}
	if out.EventTypes == nil {
		out.EventTypes = []string{}
	}
	if !json.Valid(out.Body) {
		out.Body = json.RawMessage("null")
	}
	for _, a := range ev.Attempts {
		out.Attempts = append(out.Attempts, attempt{
			Date: a.At.UTC().Format(time.RFC3339Nano), StatusCode: a.Status,
			LatencyMs: a.Latency.Milliseconds(), Error: a.Error, Response: excerpt(a.Response),
		})
	}
	return out
}

// excerpt returns the start of a response body as valid UTF-8, at most
// maxExcerpt bytes, "…" marking a cut.
func excerpt(b []byte) string {
	cut := len(b) > maxExcerpt
	if cut {
		b = b[:maxExcerpt]
		for len(b) > 0 && !utf8.Valid(b) && len(b) > maxExcerpt-utf8.UTFMax {
			b = b[:len(b)-1]
		}
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	if cut {
		s += "…"
	}
	return s
}
