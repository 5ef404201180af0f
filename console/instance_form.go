package console

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/a12b7632/elementevents/element"
)

// The configuration keys the Event Configuration section writes.
const (
	keyEnabled      = "event.notification.enabled"
	keyVendorType   = "event.vendor.type"
	keyCallbackURL  = "event.notification.callback.url"
	keySignatureKey = "event.notification.signature.key"
	keyRefresh      = "event.poller.refresh_interval"
	keyObjects      = "event.objects"
	keyPollerConfig = "event.poller.configuration"
)

// redacted is a secret's value in the JSON view; written back, it keeps
// the stored value (as the /instances API does).
const redacted = "***"

// defaultRefresh is the refresh interval the form shows when none is set:
// the element package's default, in minutes.
const defaultRefresh = "15"

// pollerFields are the form fields of one object's poller configuration:
// the resource member they write, and their label. The date members live
// in the resource's datesConfiguration.
var pollerFields = []struct{ member, label string }{
	{"url", "URL"},
	{"idField", "Id field"},
	{"updatedDateField", "Updated date field"},
	{"updatedDateFormat", "Updated date format"},
	{"updatedDateTimezone", "Updated date time zone"},
	{"createdDateField", "Created date field"},
	{"createdDateFormat", "Created date format"},
	{"createdDateTimezone", "Created date time zone"},
}

// isDatesMember reports whether a poller field lives in datesConfiguration.
func isDatesMember(member string) bool {
	return strings.HasSuffix(member, "DateField") || strings.HasSuffix(member, "DateFormat") ||
		strings.HasSuffix(member, "DateTimezone")
}

// body is an /instances body as members, so that keys the form does not
// know are kept as written.
type body map[string]json.RawMessage

// parseBody reads a stored or submitted body; a body that is not an
// object is empty.
func parseBody(data []byte) body {
	b := body{}
	if json.Unmarshal(data, &b) != nil || b == nil {
		return body{}
	}
	return b
}

// object decodes member key as an object, also when it is written as a
// JSON-encoded string (as event.poller.configuration may be). Missing or
// unreadable is an empty object.
func (b body) object(key string) body {
	raw, ok := b[key]
	if !ok {
		return body{}
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = []byte(s)
	}
	return parseBody(raw)
}

// str returns member key as text: a string unquoted, anything else as
// written (true, 15); "" when absent or null.
func (b body) str(key string) string {
	raw, ok := b[key]
	if !ok || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(raw))
}

// setString sets key to v, or removes it when v is empty.
func (b body) setString(key, v string) {
	if v == "" {
		delete(b, key)
		return
	}
	b[key] = mustJSON(v)
}

// setAny sets key to v encoded.
func (b body) setAny(key string, v any) { b[key] = mustJSON(v) }

// encode returns b as compact JSON.
func (b body) encode() []byte { return mustJSON(map[string]json.RawMessage(b)) }

// mustJSON encodes a value that always encodes (strings, maps of raw
// JSON, slices of strings).
func mustJSON(v any) json.RawMessage {
	out, err := json.Marshal(v)
	if err != nil {
		panic("console: " + err.Error()) // only values that always encode come here
	}
	return out
}

// elementKey is the body's element.key.
func (b body) elementKey() string { return b.object("element").str("key") }

// vendorKeys are the configuration keys of the element's own fields, in
// the order shown: the base URL's, then the credentials, then the
// webhook secret (needed by webhook instances only).
func vendorKeys(def *element.Definition) []string {
	keys := slices.Clone(def.BaseURLKeys())
	for _, k := range def.ConfigKeys() {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	if k := def.Webhook.SecretKey; k != "" && !slices.Contains(keys, k) {
		keys = append(keys, k)
	}
	return keys
}

// objectNames are the objects the form offers: the definition's and those
// the body configures, sorted.
func objectNames(def *element.Definition, pollers body) []string {
	names := slices.Collect(maps.Keys(def.Resources))
	for k := range pollers {
		if !slices.Contains(names, k) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return names
}

// fromForm returns the body the submitted form writes over base (the
// stored body on edit, empty on create): keys the form shows are set from
// it, every other key is kept. An empty password field keeps the stored
// secret.
func fromForm(f url.Values, base body, def *element.Definition) body {
	b := maps.Clone(base)
	if b == nil {
		b = body{}
	}
	if _, ok := b["element"]; !ok {
		b.setAny("element", map[string]string{"key": def.Key})
	}
	b.setString("name", strings.TrimSpace(f.Get("name")))
	if tags := splitTags(f.Get("tags")); len(tags) > 0 {
		b.setAny("tags", tags)
	} else {
		delete(b, "tags")
	}

	cfg := b.object("configuration")
	setCfg := func(key, v string) {
		if element.IsSecretKey(key) && v == "" {
			return // write-only: empty keeps the stored value
		}
		cfg.setString(key, v)
	}
	for _, k := range vendorKeys(def) {
		setCfg(k, strings.TrimSpace(f.Get(fieldName(k))))
	}
	cfg.setAny(keyEnabled, f.Get(fieldName(keyEnabled)) == "true")
	vendorType := f.Get(fieldName(keyVendorType))
	cfg.setString(keyVendorType, vendorType)
	setCfg(keyCallbackURL, strings.TrimSpace(f.Get(fieldName(keyCallbackURL))))
	setCfg(keySignatureKey, f.Get(fieldName(keySignatureKey)))
	// Without JavaScript the slider and the number may disagree: the
	// number wins, the slider counts only when the number is empty.
	refresh := strings.TrimSpace(cmpOr(f.Get(fieldName(keyRefresh)), f.Get("refreshSlider")))
	if n, err := strconv.Atoi(refresh); err == nil {
		cfg.setAny(keyRefresh, n)
	} else {
		cfg.setString(keyRefresh, refresh) // the element package names what is wrong with it
	}

	stored := cfg.object(keyPollerConfig)
	objects := f[fieldName(keyObjects)]
	pollers := body{}
	for _, name := range objects {
		res := stored.object(name)
		if _, ok := stored[name]; !ok {
			res = defaultResource(def, name)
		}
		dates := res.object("datesConfiguration")
		for _, pf := range pollerFields {
			v := strings.TrimSpace(f.Get(pollerName(name, pf.member)))
			if isDatesMember(pf.member) {
				dates.setString(pf.member, v)
			} else {
				res.setString(pf.member, v)
			}
		}
		res["datesConfiguration"] = dates.encode()
		pollers[name] = res.encode()
	}
	if len(objects) > 0 {
		cfg.setString(keyObjects, strings.Join(objects, ","))
		cfg[keyPollerConfig] = pollers.encode()
	} else {
		delete(cfg, keyObjects)
		delete(cfg, keyPollerConfig)
	}
	b["configuration"] = cfg.encode()
	return b
}

// defaultResource is the definition's resource name as body members;
// empty when it has none.
func defaultResource(def *element.Definition, name string) body {
	r, ok := def.Resources[name]
	if !ok {
		return body{}
	}
	data, err := json.Marshal(r)
	if err != nil {
		return body{}
	}
	return parseBody(data)
}

// splitTags reads comma-separated tags, trimmed, empty ones dropped.
func splitTags(s string) []string {
	var tags []string
	for t := range strings.SplitSeq(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}

// cmpOr returns a unless it is blank, else b.
func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// fieldName is the form name of a configuration key.
func fieldName(key string) string { return "cfg." + key }

// pollerName is the form name of a poller member of an object.
func pollerName(object, member string) string { return "poller." + object + "." + member }

// pollerPath is the problem path the element package reports for a
// poller member of an object.
func pollerPath(object, member string) string {
	if isDatesMember(member) {
		return keyPollerConfig + "." + object + ".datesConfiguration." + member
	}
	return keyPollerConfig + "." + object + "." + member
}

// keyToken is the instance token the engine keeps in a stored body: a
// credential, never shown, and the engine's to set.
const keyToken = "token"

// redactedJSON returns b indented, every secret configuration value
// written "***" and without the instance token: the JSON view's text.
func redactedJSON(b body) string {
	out := maps.Clone(b)
	delete(out, keyToken)
	cfg := b.object("configuration")
	for k := range cfg {
		if element.IsSecretKey(k) {
			cfg.setString(k, redacted)
		}
	}
	if len(cfg) > 0 {
		out["configuration"] = cfg.encode()
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, out.encode(), "", "  "); err != nil {
		return string(out.encode())
	}
	return buf.String()
}

// keepSecrets returns the JSON view's text with every secret
// configuration value written "***" replaced by the stored one (removed
// when none is stored), and without an instance token (the engine keeps
// its own). Text that is not a JSON object is returned as is, for the
// element package to report where it breaks.
func keepSecrets(text []byte, stored body) []byte {
	var b body
	if json.Unmarshal(text, &b) != nil || b == nil {
		return text
	}
	delete(b, keyToken)
	cfg := b.object("configuration")
	if len(cfg) == 0 {
		return b.encode()
	}
	old := stored.object("configuration")
	for k, v := range cfg {
		if element.IsSecretKey(k) && string(bytes.TrimSpace(v)) == `"`+redacted+`"` {
			if sv, ok := old[k]; ok {
				cfg[k] = sv
			} else {
				delete(cfg, k)
			}
		}
	}
	b["configuration"] = cfg.encode()
	return b.encode()
}
