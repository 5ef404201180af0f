package printcheck_test

import (
	"testing"

	"github.com/a12b7632/elementevents/internal/printcheck"
)

// plain holds a secret and prints it, as a type without redaction does.
type plain struct{ Key []byte }

// recorder is a testing.TB that only records whether it failed.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }

// TestNoSecretCatchesEachEncoding checks that a secret printed raw, as
// bytes (which slog JSON writes in base64 and %x in hex) is caught, and a
// value without it is not.
func TestNoSecretCatchesEachEncoding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		v    any
		want bool
	}{
		{"string", "the key is TOPSECRET", true},
		{"bytes in a struct", plain{Key: []byte("TOPSECRET")}, true},
		{"nothing secret", plain{Key: []byte("public")}, false},
	} {
		r := &recorder{TB: t}
		printcheck.NoSecret(r, tc.name, printcheck.Forms(tc.v), "TOPSECRET")
		if r.failed != tc.want {
			t.Errorf("%s: failed = %v, want %v", tc.name, r.failed, tc.want)
		}
	}
}
