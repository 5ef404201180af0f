package events_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/internal/printcheck"
)

// secretKey, and the credentials in secretURL, must never be printed.
var (
	secretKey = []byte("TOPSECRET-signing-key-1")
	secretURL = "https://hook:TOPSECRET-password-2@hooks.example.com/cb?tenant=7&pass=TOPSECRET3&token=TOPSECRET4"
	secrets   = []string{"TOPSECRET-signing-key-1", "TOPSECRET-password-2", "TOPSECRET3", "TOPSECRET4"}
)

// TestSecretsNeverPrint prints every value of the package that holds a
// signing key or a callback URL in every way a host might.
func TestSecretsNeverPrint(t *testing.T) {
	t.Parallel()
	ep := events.Endpoint{URL: secretURL, Key: secretKey}
	b := events.Batch{
		Instance: events.Instance{ID: "123", Name: "shop", ElementKey: "woocommercerest", Tags: []string{"t"}},
		Endpoint: ep,
		Source:   events.FromPolling,
		Events:   []events.Event{evt("customers", "1", events.Created, `{"id":1}`)},
	}
	for name, v := range map[string]any{
		"Endpoint":  ep,
		"*Endpoint": &ep,
		"Batch":     b,
		"*Batch":    &b,
		"Key":       ep.Key,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			forms := printcheck.Forms(v)
			printcheck.NoSecret(t, name, forms, secrets...)
			require.Contains(t, forms["%+v"], "[REDACTED]", "the key shows that it is there")
		})
	}
}

// TestSecretsPrintUseful: what redacted values print still says what they
// are.
func TestSecretsPrintUseful(t *testing.T) {
	t.Parallel()
	ep := events.Endpoint{URL: secretURL, Key: secretKey}
	require.Equal(t, "{https://hooks.example.com/cb?tenant=7&pass=REDACTED&token=REDACTED [REDACTED]}", fmt.Sprint(ep))
	require.Equal(t, `events.Endpoint{URL:"https://hooks.example.com/cb?tenant=7&pass=REDACTED&token=REDACTED", Key:signature.Key("[REDACTED]")}`,
		fmt.Sprintf("%#v", ep))
	require.Equal(t, "{URL:https://hooks.example.com/cb Key:}", fmt.Sprintf("%+v", events.Endpoint{URL: "https://hooks.example.com/cb"}))
	b := events.Batch{Instance: events.Instance{ID: "123"}, Endpoint: ep, Source: events.FromWebhook}
	require.True(t, strings.HasPrefix(fmt.Sprintf("%#v", b), `events.Batch{Instance:events.Instance{ID:"123"`), fmt.Sprintf("%#v", b))

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "batch", b)
	require.Contains(t, buf.String(), `"batch":{"instance":"123","element":"","endpoint":{"url":"https://hooks.example.com/cb?tenant=7&pass=REDACTED&token=REDACTED","key":"[REDACTED]"},"source":"webhook","events":0}`)
}
