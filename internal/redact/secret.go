package redact

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// redacted is what every printed form of a [Secret] shows.
const redacted = "[" + Mask + "]"

// Secret holds a credential read from an instance's configuration, such as
// a vendor's API token. Its value is read with [Secret.Reveal]; every
// other way of looking at it (the fmt verbs, String, GoString, JSON and
// slog) shows [REDACTED], or nothing for an empty secret, so a Secret can
// sit in a struct that is logged.
type Secret struct {
	value string
}

// NewSecret wraps value.
func NewSecret(value string) Secret { return Secret{value: value} }

// Reveal returns the secret's value. Call it only where the value is used.
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.value == "" }

// String returns "[REDACTED]", or "" for an empty secret.
func (s Secret) String() string {
	if s.value == "" {
		return ""
	}
	return redacted
}

// GoString is used by %#v and redacts like String.
func (s Secret) GoString() string { return "redact.Secret(" + fmt.Sprintf("%q", s.String()) + ")" }

// Format makes every fmt verb print the redacted form.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(s.GoString()))
		return
	}
	_, _ = f.Write([]byte(s.String()))
}

// MarshalJSON writes the redacted form.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// LogValue redacts the secret in log/slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
