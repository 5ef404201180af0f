package signature

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
)

// Key is an HMAC signing key. It is a []byte underneath, so it converts
// to and from []byte freely and signs as one ([NewSigner](key)), but every
// way of printing it redacts it: the fmt verbs, String, GoString, slog,
// JSON and text marshalling all show [REDACTED] (nothing for an empty
// key). A struct that holds a Key can be printed or logged.
//
// Stores that persist a key must write its bytes ([]byte(k)) themselves:
// MarshalJSON redacts, and a Key does not survive a JSON round trip.
//
// One path of fmt prints fields without their methods: its report of a
// bad verb, such as %s of a pointer to a struct inside a slice. A type
// that holds a Key and may be printed so implements [fmt.Formatter]
// itself (events.Batch does).
type Key []byte

// redactedKey is what every printed form of a non-empty Key shows.
const redactedKey = "[REDACTED]"

// String returns "[REDACTED]", or "" for an empty key.
func (k Key) String() string {
	if len(k) == 0 {
		return ""
	}
	return redactedKey
}

// GoString is used by %#v and redacts like String.
func (k Key) GoString() string { return "signature.Key(" + strconv.Quote(k.String()) + ")" }

// Format makes every fmt verb (%v, %s, %q, %x, %d, ...) print the
// redacted form.
func (k Key) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = f.Write([]byte(k.GoString()))
	case verb == 'q':
		_, _ = f.Write([]byte(strconv.Quote(k.String())))
	default:
		_, _ = f.Write([]byte(k.String()))
	}
}

// LogValue redacts the key in log/slog output.
func (k Key) LogValue() slog.Value { return slog.StringValue(k.String()) }

// MarshalJSON writes the redacted form, as a JSON string.
func (k Key) MarshalJSON() ([]byte, error) { return json.Marshal(k.String()) }

// MarshalText writes the redacted form, for encoders (and slog's text
// handler) that use encoding.TextMarshaler.
func (k Key) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Format prints v with its keys redacted, in every verb (%#v included):
// their number, and the tolerance.
func (v *Verifier) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(v.describe())) }

// describe is what Format prints.
func (v *Verifier) describe() string {
	if v == nil {
		return "(*signature.Verifier)(nil)"
	}
	return fmt.Sprintf("&signature.Verifier{Keys: %d [REDACTED], Tolerance: %v}", len(v.macs), v.tolerance)
}

// LogValue redacts v's keys in log/slog output.
func (v *Verifier) LogValue() slog.Value {
	if v == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.Int("keys", len(v.macs)), slog.Duration("tolerance", v.tolerance))
}
