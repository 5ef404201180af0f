package element

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/signature"
)

// redacted is what a printed Configuration shows for the value of a key
// that holds a credential.
const redacted = "[REDACTED]"

// vendorWebhook and vendorPolling are the values of Events.VendorType.
const (
	vendorWebhook = "webhook"
	vendorPolling = "polling"
)

// Configuration is the configuration object of an instance: the typed
// event settings in Events, and every key as written, vendor keys included
// (store.url, oauth.api.key, filter.response.nulls), read with Get.
//
// Printing a Configuration with fmt or log/slog redacts the values of keys
// that hold credentials. JSON marshalling does not: it
// writes the configuration as it is sent to /instances, secrets included,
// so that it can be stored and parsed again.
type Configuration struct {
	// Events holds the event.* settings, typed and defaulted.
	Events Events

	// values holds every key as written, in its raw JSON form.
	values map[string]json.RawMessage
}

// Events is the typed view of the event.* configuration keys; every other
// key is kept as written and read with [Configuration.Get].
type Events struct {
	// Enabled is event.notification.enabled. Default false.
	Enabled bool

	// VendorType is event.vendor.type: "webhook" (the vendor sends
	// webhooks; Parse also reads "webhooks") or "polling" (the poller asks
	// the vendor's API). Empty when absent, unless resources are
	// configured: then "polling".
	VendorType string

	// CallbackURL is event.notification.callback.url, where notifications
	// are delivered. Required when Enabled.
	CallbackURL string

	// SignatureKey is event.notification.signature.key: when set, every
	// notification is signed with it. Like every [signature.Key], it
	// prints as [REDACTED].
	SignatureKey signature.Key

	// RefreshInterval is event.poller.refresh_interval, written in minutes.
	// Default 15 minutes.
	RefreshInterval time.Duration

	// Objects is event.objects, a comma-separated list of object names.
	Objects []string

	// Resources is event.poller.configuration, by object name. When an
	// instance of a known element is polling and gives none, Parse fills
	// in the element definition's defaults for Objects, or for all it
	// supports.
	//
	// The legacy event.poller.urls, read when event.poller.configuration
	// is absent, holds entries separated by ";" or newlines, each of up to
	// nine "|"-separated fields, the first three required:
	//
	//	resource|url|idPath|updatedField|updatedFormat|updatedTimezone|createdField|createdFormat|createdTimezone
	//
	// idPath, which Cloud Elements called the xPath, may be written as an
	// XPath ("/customer/id") or a JSON path ("$.customer.id"); it is read
	// as the dotted IDField ("customer.id"). Problems wrap [ErrLegacyURLs].
	Resources map[string]Resource
}

// Get returns the value of key as a string: a JSON string unquoted, any
// other JSON value (number, boolean, object) as written. The second result
// is false when the key is absent or null.
//
// Get reads the body as written; the event.* keys are best read, typed and
// defaulted, from Events.
func (c Configuration) Get(key string) (string, bool) {
	raw, ok := c.values[key]
	if !ok || isNull(raw) {
		return "", false
	}
	var s string
	if raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	return string(raw), true
}

// Set sets key to the string value. It does not change Events; set the
// typed field for event.* keys.
func (c *Configuration) Set(key, value string) {
	if c.values == nil {
		c.values = make(map[string]json.RawMessage)
	}
	raw, _ := json.Marshal(value) // a string always marshals
	c.values[key] = raw
}

// Keys returns the configuration keys as written, sorted.
func (c Configuration) Keys() []string {
	return slices.Sorted(maps.Keys(c.values))
}

// IsSecretKey reports whether a configuration key holds a credential, so
// that its value is redacted when a [Configuration] is printed, and the
// /instances API shows it as "***": any key with a dot-separated part such
// as key, secret, password, token or credentials (oauth.api.key,
// oauth.api.secret, event.notification.signature.key). Case is ignored.
func IsSecretKey(key string) bool {
	for part := range strings.SplitSeq(strings.ToLower(key), ".") {
		switch part {
		case "key", "secret", "password", "passwd", "token", "credentials",
			"apikey", "api_key", "private":
			return true
		}
		if strings.HasSuffix(part, "secret") || strings.HasSuffix(part, "token") ||
			strings.HasSuffix(part, "password") {
			return true
		}
	}
	return false
}

// String returns the configuration with secret values redacted.
func (c Configuration) String() string {
	var b strings.Builder
	b.WriteString("{")
	for i, k := range c.Keys() {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(k)
		b.WriteString(":")
		if IsSecretKey(k) {
			b.WriteString(redacted)
			continue
		}
		b.WriteString(c.printable(k))
	}
	b.WriteString("}")
	return b.String()
}

// Format makes every fmt verb print the redacted String form.
func (c Configuration) Format(f fmt.State, _ rune) {
	_, _ = f.Write([]byte(c.String()))
}

// LogValue groups the keys for log/slog, secret values redacted.
func (c Configuration) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, len(c.values))
	for _, k := range c.Keys() {
		v := redacted
		if !IsSecretKey(k) {
			v = c.printable(k)
		}
		attrs = append(attrs, slog.String(k, v))
	}
	return slog.GroupValue(attrs...)
}

// printable returns the value of a key for String and LogValue: objects and
// arrays on one line.
func (c Configuration) printable(key string) string {
	v, _ := c.Get(key)
	if raw := c.values[key]; len(raw) > 0 && (raw[0] == '{' || raw[0] == '[') {
		var b bytes.Buffer
		if json.Compact(&b, raw) == nil {
			return b.String()
		}
	}
	return v
}

// MarshalJSON writes every key. The event.* keys are written from Events in
// their canonical form (booleans, minutes as a string, resources as an
// object); a legacy event.poller.urls is written as
// event.poller.configuration. Secrets are written in clear: this is the
// body as sent to /instances.
func (c Configuration) MarshalJSON() ([]byte, error) {
	out := make(map[string]json.RawMessage, len(c.values)+8)
	for k, v := range c.values {
		out[k] = v
	}
	delete(out, vocab.KeyPollerURLs)
	e := c.Events
	var errs []error
	put := func(key string, v any) {
		raw, err := json.Marshal(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("element: marshal %s: %w", key, err))
		}
		out[key] = raw
	}
	has := func(key string) bool { _, ok := c.values[key]; return ok }
	if e.Enabled || has(vocab.KeyEventsEnabled) {
		put(vocab.KeyEventsEnabled, e.Enabled)
	}
	if e.VendorType != "" {
		put(vocab.KeyVendorType, string(e.VendorType))
	}
	if e.CallbackURL != "" {
		put(vocab.KeyCallbackURL, e.CallbackURL)
	}
	if len(e.SignatureKey) > 0 {
		put(vocab.KeySignatureKey, string(e.SignatureKey))
	}
	if e.RefreshInterval != 0 && (has(vocab.KeyRefreshInterval) || e.RefreshInterval != vocab.DefaultRefreshInterval) {
		put(vocab.KeyRefreshInterval, formatMinutes(e.RefreshInterval))
	}
	if len(e.Objects) > 0 {
		put(vocab.KeyObjects, strings.Join(e.Objects, ","))
	}
	if len(e.Resources) > 0 {
		put(vocab.KeyPollerConfiguration, e.Resources)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads a configuration object; see [Parse] for what it
// tolerates. Problems with the values of event.* keys, or a value that is
// not an object, are returned together as a [*ValidationError]. It does
// not check the rules of [Instance.Validate].
func (c *Configuration) UnmarshalJSON(data []byte) error {
	var values map[string]json.RawMessage
	if err := json.Unmarshal(data, &values); err != nil {
		return problemList{{Path: "configuration", Message: "must be an object, got " + kindOf(bytes.TrimSpace(data))}}.err("")
	}
	cfg, problems := decodeConfiguration(values)
	*c = cfg
	return problems.err("")
}

func formatMinutes(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.FormatInt(int64(d/time.Minute), 10)
	}
	return strconv.FormatFloat(d.Minutes(), 'f', -1, 64)
}

func isNull(raw json.RawMessage) bool {
	return len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null"
}
