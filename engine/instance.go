package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/a12b7632/elementevents/element"
)

// The top-level keys of an instance body that the engine owns: a body
// written by a caller may repeat them but not change them ("disabled"
// excepted, which is Enable and Disable written in the body).
const (
	keyID       = "id"
	keyToken    = "token"
	keyDisabled = "disabled"
)

// Instance is an instance as the engine serves it: the stored [Record]
// (its Body holds the configuration with its secrets: render it with
// care) and the instance parsed from it.
type Instance struct {
	Record

	// Token is the instance token, the secret of the
	// "Authorization: ..., Element <token>" form. It is assigned at
	// Create and never changes.
	Token string

	// Config is the instance parsed from Body.
	Config *element.Instance
}

// Format prints the instance without its body and token.
func (i Instance) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "engine.Instance{Tenant:%q ID:%q Version:%d Element:%q Enabled:%t}",
		i.Tenant, i.ID, i.Version, i.ElementKey, i.Enabled)
}

// LogValue logs the instance without its body and token.
func (i Instance) LogValue() slog.Value {
	return slog.GroupValue(slog.String("tenant", i.Tenant), slog.String("id", i.ID),
		slog.Int64("version", i.Version), slog.String("element", i.ElementKey), slog.Bool("enabled", i.Enabled))
}

// body is an instance body as a map of its top-level keys, each value as
// written.
type body map[string]json.RawMessage

// decodeBody parses data as an instance (element.Parse's syntax errors,
// with their offsets, and its validation) and returns its top-level keys.
func decodeBody(data []byte) (body, error) {
	var b body
	if err := json.Unmarshal(data, &b); err != nil || b == nil {
		// element.Parse says where and why.
		if _, perr := element.Parse(data); perr != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, perr)
		}
		return nil, fmt.Errorf("%w: the body is not a JSON object", ErrInvalid)
	}
	return b, nil
}

// str returns the string value of key, or "".
func (b body) str(key string) string {
	raw, ok := b[key]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(raw)) // a number id
}

// disabled reports the "disabled" key, written as a boolean or a string.
func (b body) disabled() bool {
	v, _ := strconv.ParseBool(b.str(keyDisabled))
	return v
}

// set sets key to v, marshalled.
func (b body) set(key string, v any) {
	raw, _ := json.Marshal(v) // strings and booleans marshal
	b[key] = raw
}

// encode writes the body as JSON, keys sorted, values as written, and
// "<", ">" and "&" not escaped.
func (b body) encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]json.RawMessage(b)); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// checkOwned refuses a caller's body that changes a key the engine owns:
// an id other than id, or a token other than token.
func (b body) checkOwned(id, token string) error {
	if _, ok := b[keyID]; ok && b.str(keyID) != id {
		return fmt.Errorf("%w: id: the body's id %q is not the instance's, %q; ids do not change", ErrInvalid, b.str(keyID), id)
	}
	if _, ok := b[keyToken]; ok && b.str(keyToken) != token {
		return fmt.Errorf("%w: token: the instance token is assigned by the engine and does not change", ErrInvalid)
	}
	return nil
}

// mergePatch applies patch to doc as RFC 7396 says: an object merges key
// by key (null removes a key), anything else replaces. So a PATCH of
// {"configuration":{"event.poller.refresh_interval":"5"}} changes that
// key only, and {"tags":["b"]} replaces the tags.
func mergePatch(doc, patch json.RawMessage) (json.RawMessage, error) {
	var p map[string]json.RawMessage
	if err := json.Unmarshal(patch, &p); err != nil || p == nil {
		return patch, nil // not an object: it replaces
	}
	var d map[string]json.RawMessage
	if err := json.Unmarshal(doc, &d); err != nil || d == nil {
		d = map[string]json.RawMessage{}
	}
	for k, v := range p {
		if string(bytes.TrimSpace(v)) == "null" {
			delete(d, k)
			continue
		}
		merged, err := mergePatch(d[k], v)
		if err != nil {
			return nil, err
		}
		d[k] = merged
	}
	return body(d).encode()
}
