package vendorauth

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// redacted is what every printed form of a non-empty [Secret] shows.
const redacted = "[REDACTED]"

// Secret is a credential, such as an OAuth consumer secret. Every fmt
// verb, String, GoString, encoding/json and log/slog show [REDACTED] (or
// nothing for an empty one); convert it to string only where it is used.
type Secret string

// String returns "[REDACTED]", or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString is used by %#v and redacts like String.
func (s Secret) GoString() string { return fmt.Sprintf("vendorauth.Secret(%q)", s.String()) }

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
