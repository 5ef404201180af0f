package redact_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

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
	forms := map[string]string{
		"%v":      fmt.Sprintf("%v", s),
		"%+v":     fmt.Sprintf("%+v", s),
		"%#v":     fmt.Sprintf("%#v", s),
		"%s":      fmt.Sprintf("%s", s),
		"%q":      fmt.Sprintf("%q", s),
		"%x":      fmt.Sprintf("%x", s),
		"String":  s.String(),
		"Go":      s.GoString(),
		"struct":  fmt.Sprintf("%v", h),
		"struct+": fmt.Sprintf("%+v", h),
		"struct#": fmt.Sprintf("%#v", h),
		"ptr":     fmt.Sprintf("%+v", &h),
	}
	data, err := json.Marshal(h)
	require.NoError(t, err)
	forms["json"] = string(data)
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "key", s, "holder", h)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "key", s)
	forms["slog"] = buf.String()

	for name, out := range forms {
		require.NotContains(t, out, secretValue, name)
		require.NotContains(t, out, fmt.Sprintf("%x", secretValue), name)
	}
	require.Equal(t, "[REDACTED]", s.String())
	require.Contains(t, forms["json"], `"[REDACTED]"`)
	require.Equal(t, secretValue, s.Reveal())
	require.False(t, s.IsZero())
	require.Empty(t, redact.Secret{}.String(), "an empty secret prints as empty, so absence is visible")
	require.True(t, redact.Secret{}.IsZero())
}
