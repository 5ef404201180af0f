package element_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/signature"
)

const secretValue = "s3cr3t-value"

// TestSignatureKeyNeverPrints: the signature key of Events is a
// signature.Key, which prints and logs redacted inside the struct too.
func TestSignatureKeyNeverPrints(t *testing.T) {
	t.Parallel()
	s := signature.Key(secretValue)
	ev := element.Events{SignatureKey: s, CallbackURL: "https://x.example"}
	forms := map[string]string{
		"%v":      fmt.Sprintf("%v", s),
		"%+v":     fmt.Sprintf("%+v", s),
		"%#v":     fmt.Sprintf("%#v", s),
		"%s":      fmt.Sprintf("%s", s),
		"%q":      fmt.Sprintf("%q", s),
		"%x":      fmt.Sprintf("%x", s),
		"String":  s.String(),
		"Go":      s.GoString(),
		"struct":  fmt.Sprintf("%v", ev),
		"struct+": fmt.Sprintf("%+v", ev),
		"struct#": fmt.Sprintf("%#v", ev),
		"ptr":     fmt.Sprintf("%+v", &ev),
	}
	data, err := json.Marshal(ev)
	require.NoError(t, err)
	forms["json"] = string(data)
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "key", s, "events", ev)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "key", s)
	forms["slog"] = buf.String()

	for name, out := range forms {
		require.NotContains(t, out, secretValue, name)
		require.NotContains(t, out, fmt.Sprintf("%x", secretValue), name)
	}
	require.Equal(t, "[REDACTED]", s.String())
	require.Contains(t, forms["json"], `"[REDACTED]"`)
	require.Equal(t, secretValue, string(s))
	require.Empty(t, signature.Key(nil).String(), "an empty key prints as empty, so absence is visible")
}

func TestConfigurationRedactsSecretKeys(t *testing.T) {
	t.Parallel()
	inst, err := element.Parse([]byte(`{"element":{"key":"woocommercerest"},"configuration":{
		"oauth.api.key":"ck_` + secretValue + `","oauth.api.secret":"cs_` + secretValue + `",
		"event.notification.signature.key":"` + secretValue + `","hub.access_token":"` + secretValue + `",
		"store.url":"https://shop.example.com"}}`))
	require.NoError(t, err)
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	logger.Info("instance", "instance", inst, "configuration", inst.Configuration)
	for name, out := range map[string]string{
		"%v":   fmt.Sprintf("%v", inst.Configuration),
		"%+v":  fmt.Sprintf("%+v", *inst),
		"%#v":  fmt.Sprintf("%#v", inst.Configuration),
		"%s":   fmt.Sprintf("%s", inst.Configuration),
		"slog": buf.String(),
	} {
		require.NotContains(t, out, secretValue, name)
	}
	require.Contains(t, fmt.Sprintf("%v", inst.Configuration), "store.url:https://shop.example.com", "other keys print")
}
