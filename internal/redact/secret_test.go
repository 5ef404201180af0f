package redact_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/printcheck"
	"github.com/a12b7632/elementevents/internal/redact"
)

const secretValue = "s3cr3t-value"

func TestSecretNeverPrintsItsValue(t *testing.T) {
	t.Parallel()
	s := redact.NewSecret(secretValue)
	type holder struct {
		Token redact.Secret
		URL   string
	}
	h := holder{Token: s, URL: "https://x.example"}
	for what, v := range map[string]any{"Secret": s, "holder": h} {
		printcheck.NoSecret(t, what, printcheck.Forms(v), secretValue)
	}
	// A pointer to a struct of the caller's own prints its fields with
	// their methods, except where fmt reports a bad verb (%s of a pointer
	// inside a slice), which no field type can reach.
	require.NotContains(t, fmt.Sprintf("%+v", &h), secretValue)
	data, err := json.Marshal(h)
	require.NoError(t, err)
	require.Contains(t, string(data), `"[REDACTED]"`)
	require.NotContains(t, string(data), secretValue)
	require.Equal(t, "[REDACTED]", s.String())
	require.Equal(t, secretValue, s.Reveal())
	require.False(t, s.IsZero())
	require.Empty(t, redact.Secret{}.String(), "an empty secret prints as empty, so absence is visible")
	require.True(t, redact.Secret{}.IsZero())
}
