package element

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	iquote "github.com/a12b7632/elementevents/internal/quote"
)

// Instance is an element instance: the body of an /instances call, parsed.
// Build one with [Parse] and check it with [Instance.Validate].
type Instance struct {
	// ID is the instance id: "id" in the body (a number or a string), or
	// whatever the host assigns. It is part of every event id.
	ID string

	// Name is the instance name.
	Name string

	// Element names the element (the vendor) the instance connects to.
	Element Element

	// Tags are the instance tags, copied into every notification.
	Tags []string

	// Configuration holds the vendor keys and the event.* settings.
	Configuration Configuration

	// extra holds the other top-level keys of the body (providerData, ...)
	// so that they survive a round trip.
	extra map[string]json.RawMessage
}

// Element names an element of the catalogue; see [Lookup].
type Element struct {
	// Key is the element key, such as "woocommercerest".
	Key string `json:"key"`
}

// Parse reads the JSON body of an /instances call:
//
//	{"element": {"key": "woocommercerest"}, "name": "...", "tags": [...],
//	 "configuration": {"store.url": "...", "event.vendor.type": "polling", ...}}
//
// It accepts what real bodies contain: booleans and numbers written as
// strings ("true", "15"); event.vendor.type "webhook", "webhooks" or
// "polling"; event.poller.configuration as an object or as a JSON-encoded
// string (including "{}"); an empty datesConfiguration; createdCheckTolerance
// at the resource level or inside datesConfiguration; event.objects as a
// comma-separated list; and the legacy event.poller.urls pipe format (see
// [ParseLegacyURLs]). Keys it does not know are kept, in the configuration
// and at the top level, and written back by json.Marshal.
//
// When a polling instance of a registered element gives no resources, the
// element [Definition]'s defaults are filled in (for event.objects, or for
// every object the definition has).
//
// Malformed JSON is a [*SyntaxError] (errors.Is [ErrSyntax]) with the byte
// offset, line and column. Values of the wrong shape are a
// [*ValidationError] (errors.Is [ErrInvalid]) naming every key. Parse does
// not check the rules of a usable instance: call [Instance.Validate].
func Parse(data []byte) (*Instance, error) {
	var body map[string]json.RawMessage
	if err := json.Unmarshal(data, &body); err != nil {
		return nil, newSyntaxError(data, err)
	}
	if body == nil {
		return nil, &SyntaxError{Err: errors.New("body is null, want an object")}
	}
	inst := &Instance{}
	var problems []*FieldError
	add := func(key, msg string) { problems = append(problems, &FieldError{Key: key, Message: msg}) }

	for k, raw := range body {
		switch k {
		case "id":
			id, ok := scalarString(raw)
			if !ok {
				add("id", "must be a string or a number")
			}
			inst.ID = id
		case "name":
			if err := json.Unmarshal(raw, &inst.Name); err != nil && !isNull(raw) {
				add("name", "must be a string")
			}
		case "element":
			if err := json.Unmarshal(raw, &inst.Element); err != nil && !isNull(raw) {
				add("element", `must be an object such as {"key": "woocommercerest"}`)
			}
		case "tags":
			if err := json.Unmarshal(raw, &inst.Tags); err != nil && !isNull(raw) {
				add("tags", "must be an array of strings")
			}
		case "configuration":
			var values map[string]json.RawMessage
			if err := json.Unmarshal(raw, &values); err != nil {
				add("configuration", "must be an object")
				continue
			}
			cfg, err := decodeConfiguration(values)
			inst.Configuration = cfg
			var ve *ValidationError
			if errors.As(err, &ve) {
				problems = append(problems, ve.Problems...)
			}
		default:
			if inst.extra == nil {
				inst.extra = make(map[string]json.RawMessage)
			}
			inst.extra[k] = raw
		}
	}
	if _, ok := body["configuration"]; !ok {
		inst.Configuration, _ = decodeConfiguration(nil)
	}
	if len(problems) > 0 {
		return nil, newValidationError(problems)
	}
	inst.applyDefinitionDefaults()
	return inst, nil
}

// MarshalJSON writes the instance as an /instances body, secrets included
// (see [Configuration.MarshalJSON]); Parse reads it back.
func (inst Instance) MarshalJSON() ([]byte, error) {
	out := make(map[string]any, len(inst.extra)+5)
	for k, v := range inst.extra {
		out[k] = v
	}
	if inst.ID != "" {
		out["id"] = inst.ID
	}
	if inst.Name != "" {
		out["name"] = inst.Name
	}
	out["element"] = inst.Element
	if inst.Tags != nil {
		out["tags"] = inst.Tags
	}
	out["configuration"] = inst.Configuration
	return json.Marshal(out)
}

// LogValue describes the instance for log/slog without its configuration
// values, which may hold credentials.
func (inst Instance) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", inst.ID),
		slog.String("name", inst.Name),
		slog.String("element", inst.Element.Key),
		slog.Any("tags", inst.Tags),
	)
}

// scalarString returns a JSON string unquoted, or a number as written.
func scalarString(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return "", true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, true
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), true
	}
	return "", false
}

// SyntaxError reports JSON that cannot be read: where, and why.
type SyntaxError struct {
	// Offset is the byte offset of the error in the input.
	Offset int64
	// Line and Column locate Offset, counting from 1.
	Line, Column int
	// Err is the decoder's error.
	Err error
}

// Error names the position and the cause.
func (e *SyntaxError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%v: %v", ErrSyntax, e.Err)
	}
	return fmt.Sprintf("%v at line %d, column %d (byte %d): %v", ErrSyntax, e.Line, e.Column, e.Offset, e.Err)
}

// Unwrap returns the decoder's error.
func (e *SyntaxError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrSyntax].
func (e *SyntaxError) Is(target error) bool { return target == ErrSyntax }

func newSyntaxError(data []byte, err error) *SyntaxError {
	var offset int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		offset = syntaxOffset(se)
	case errors.As(err, &te):
		offset = te.Offset
	}
	if offset < 0 {
		return &SyntaxError{Err: err}
	}
	offset = min(offset, int64(len(data)))
	line, col := lineColumn(data, offset)
	return &SyntaxError{Offset: offset, Line: line, Column: col, Err: err}
}

// syntaxOffset returns the byte offset of a decoding error. encoding/json's
// Offset counts the bytes read, so for an invalid character it is one past
// that character; at an unexpected end it is the end of the input, which is
// where the error is.
func syntaxOffset(se *json.SyntaxError) int64 {
	if se.Offset > 0 && strings.HasPrefix(se.Error(), "invalid character") {
		return se.Offset - 1
	}
	return se.Offset
}

// lineColumn converts a byte offset to a 1-based line and column (in bytes).
func lineColumn(data []byte, offset int64) (line, col int) {
	before := data[:offset]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// quote quotes outside input for a message, at most 64 bytes of
// it: a 10 MB value must not make a 10 MB error.
func quote(s string) string { return iquote.String(s) }

// cut shortens outside input for a message that shows it unquoted, as
// [quote] does.
func cut(s string) string { return iquote.Cut(s) }
