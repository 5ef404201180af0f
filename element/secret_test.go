package element_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/printcheck"
	"github.com/a12b7632/elementevents/signature"
)

const secretValue = "s3cr3t-value"

// TestSignatureKeyNeverPrints: the signature key of Events is a
// signature.Key, which prints and logs redacted inside the struct too.
func TestSignatureKeyNeverPrints(t *testing.T) {
	t.Parallel()
	s := signature.Key(secretValue)
	ev := element.Events{SignatureKey: s, CallbackURL: "https://x.example"}
	for what, v := range map[string]any{"Key": s, "Events": ev, "*Events": &ev} {
		printcheck.NoSecret(t, what, printcheck.Forms(v), secretValue)
	}
	inst, err := element.Parse([]byte(`{"element":{"key":"woocommercerest"},"providerData":{"token":"` + secretValue + `"},
		"configuration":{"store.url":"https://shop.example","oauth.api.key":"ck_` + secretValue + `","oauth.api.secret":"cs",
		"event.notification.signature.key":"` + secretValue + `"}}`))
	require.NoError(t, err)
	for what, v := range map[string]any{"Instance": *inst, "*Instance": inst, "Configuration": inst.Configuration} {
		printcheck.NoSecret(t, what, printcheck.Forms(v), secretValue)
	}
	require.Contains(t, fmt.Sprintf("%+v", inst), "https://shop.example", "what is not secret still prints")
	data, err := json.Marshal(ev)
	require.NoError(t, err)
	require.Contains(t, string(data), `"[REDACTED]"`)
	require.NotContains(t, string(data), secretValue)
	require.Equal(t, "[REDACTED]", s.String())
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

// TestIsSecretKey: keys holding credentials, by any dot-separated part
// and in any case, and keys that do not.
func TestIsSecretKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  string
		want bool
	}{
		{"oauth.api.key", true},
		{"oauth.api.secret", true},
		{"event.notification.signature.key", true},
		{"user.password", true},
		{"db.passwd", true},
		{"access_token", true},
		{"client.credentials", true},
		{"vendor.apikey", true},
		{"vendor.api_key", true},
		{"ssh.private", true},
		{"client_secret", true},
		{"OAuth.API.Secret", true},
		{"refresh.Token", true},
		{"store.url", false},
		{"event.notification.callback.url", false},
		{"filter.response.nulls", false},
		{"event.poller.refresh_interval", false},
		{"keyboard.layout", false},
		{"monkey", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, element.IsSecretKey(tt.key))
		})
	}
}
