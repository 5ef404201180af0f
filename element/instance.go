package element

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"

	iquote "github.com/a12b7632/elementevents/internal/quote"
)

// Instance is an element instance: the body of an /instances call, parsed.
// Read one with [Parse]; check one built in Go with [Instance.Validate].
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

	// Warnings are what [Parse] found that parses but probably does not do
	// what the body's author meant, such as events configured but not
	// enabled; sorted by Path. They never make Parse fail, and are not part
	// of the body: MarshalJSON does not write them.
	Warnings []Warning

	// extra holds the other top-level keys of the body (providerData, ...)
	// so that they survive a round trip.
	extra map[string]json.RawMessage
}

// Element names an element of the catalogue; see [Default].
type Element struct {
	// Key is the element key, such as "woocommercerest".
	Key string `json:"key"`
}

// Parse reads the JSON body of an /instances call and checks it:
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
// [Events].Resources). Keys it does not know are kept, in the configuration
// and at the top level, and written back by json.Marshal.
//
// When a polling instance of a registered element gives no resources, the
// element [Definition]'s defaults are filled in (for event.objects, or for
// every object the definition has).
//
// Malformed JSON is a [*SyntaxError] (errors.Is [ErrSyntax]) with the byte
// offset, line and column, and, when the body ends too soon, the object
// left open. Otherwise every problem, with the values (a wrong type, an
// unknown vendor type, a number out of range) and with the rules of
// [Instance.Validate], is reported at once in one [*ValidationError]
// (errors.Is [ErrInvalid]), each naming its configuration key.
//
// A body that parses may still not do what its author meant, such as
// configuring events without enabling them: [Instance.Warnings] says so.
//
// Parse checks element.key against the default catalogue; use
// [Catalogue.Parse] for another.
func Parse(data []byte) (*Instance, error) { return defaultCatalogue.Parse(data) }

// Parse reads an instance body as the package's [Parse] does, but checks
// element.key against the definitions of c, and fills defaults from them.
func (c *Catalogue) Parse(data []byte) (*Instance, error) {
	inst, found, err := decodeInstance(data)
	if err != nil {
		return nil, err
	}
	inst.applyDefinitionDefaults(c)
	rules := inst.rules(c).without(found)
	if err := slices.Concat(found, rules).err(""); err != nil {
		return nil, err
	}
	inst.Warnings = inst.warnings()
	return inst, nil
}

// decodeInstance reads the body into an Instance and returns the problems
// with its values. Malformed JSON is a *SyntaxError.
func decodeInstance(data []byte) (*Instance, problemList, error) {
	var body map[string]json.RawMessage
	if err := json.Unmarshal(data, &body); err != nil {
		return nil, nil, newSyntaxError(data, err)
	}
	if body == nil {
		return nil, nil, &SyntaxError{Err: errors.New("body is null, want an object")}
	}
	inst := &Instance{}
	var problems problemList
	for k, raw := range body {
		switch k {
		case "id":
			id, ok := scalarString(raw)
			if !ok {
				problems.add("id", "must be a string or a number, got "+kindOf(bytes.TrimSpace(raw)))
			}
			inst.ID = id
		case "name":
			if err := json.Unmarshal(raw, &inst.Name); err != nil && !isNull(raw) {
				problems.add("name", "must be a string, got "+kindOf(bytes.TrimSpace(raw)))
			}
		case "element":
			if err := json.Unmarshal(raw, &inst.Element); err != nil && !isNull(raw) {
				problems.add("element", `must be an object such as {"key": "woocommercerest"}`)
			}
		case "tags":
			if err := json.Unmarshal(raw, &inst.Tags); err != nil && !isNull(raw) {
				problems.add("tags", "must be an array of strings")
			}
		case "configuration":
			var values map[string]json.RawMessage
			if err := json.Unmarshal(raw, &values); err != nil {
				problems.add("configuration", "must be an object, got "+kindOf(bytes.TrimSpace(raw)))
				continue
			}
			cfg, found := decodeConfiguration(values)
			inst.Configuration = cfg
			problems = append(problems, found...)
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
	return inst, problems, nil
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

// quote quotes outside input for a message, at most 64 bytes of
// it: a 10 MB value must not make a 10 MB error.
func quote(s string) string { return iquote.String(s) }

// cut shortens outside input for a message that shows it unquoted, as
// [quote] does.
func cut(s string) string { return iquote.Cut(s) }
