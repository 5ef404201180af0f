package element

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// redacted is what every printed form of a [Secret] shows.
const redacted = "[REDACTED]"

// Secret holds a credential such as event.notification.signature.key. Its
// value is read with [Secret.Reveal]; every other way of looking at it (the
// fmt verbs, String, GoString, JSON and slog) shows [REDACTED], or nothing
// for an empty secret, so a Secret can sit in a struct that is logged.
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
func (s Secret) GoString() string { return "element.Secret(" + fmt.Sprintf("%q", s.String()) + ")" }

// Format makes every fmt verb print the redacted form.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(s.GoString()))
		return
	}
	_, _ = f.Write([]byte(s.String()))
}

// MarshalJSON writes the redacted form. To store an instance with its
// secrets, marshal the [Instance] or its [Configuration], which write the
// body as it is sent to /instances.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// LogValue redacts the secret in log/slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// UnmarshalJSON reads a JSON string. Because MarshalJSON redacts, a Secret
// does not survive a marshal and unmarshal round trip on its own.
func (s *Secret) UnmarshalJSON(data []byte) error {
	return json.Unmarshal(data, &s.value)
}
