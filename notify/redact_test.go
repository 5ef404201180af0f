package notify_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/printcheck"
	"github.com/a12b7632/elementevents/notify"
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
	d := notify.Delivery{ID: "d-1", Endpoint: secretURL, OrderKey: "42\x00customers", Key: secretKey, Body: []byte(`{"message":{}}`),
		Events: 1, State: notify.Dead, NextAttempt: t0, Attempts: []notify.Attempt{{At: t0, Status: 503, Latency: time.Second}}}
	ob := notify.NewMemoryOutbox()
	require.NoError(t, ob.Enqueue(t.Context(), t0, d))
	sender, err := notify.NewSender(notify.DeliveryPolicy{}, nil)
	require.NoError(t, err)
	sender.Send(t.Context(), notify.Delivery{ID: "d-2", Endpoint: "http://127.0.0.1:1/", Key: secretKey, Body: []byte(`{}`)}) // caches a signer
	for name, v := range map[string]any{
		"Delivery":      d,
		"*Delivery":     &d,
		"memory outbox": ob,
		"*Sender":       sender,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			forms := printcheck.Forms(v)
			printcheck.NoSecret(t, name, forms, secrets...)
			if name != "*Sender" && name != "memory outbox" {
				require.Contains(t, forms["%+v"], "[REDACTED]", "the key shows that it is there")
			}
		})
	}
}

// TestSecretsPrintUseful: what redacted values print still says what they
// are.
func TestSecretsPrintUseful(t *testing.T) {
	t.Parallel()
	d := notify.Delivery{ID: "d-1", Endpoint: secretURL, Key: secretKey, Events: 2}
	require.Contains(t, fmt.Sprintf("%+v", d), "ID:d-1 Endpoint:https://hooks.example.com/cb?tenant=7&pass=REDACTED&token=REDACTED")
	require.Contains(t, fmt.Sprintf("%+v", d), "Key:[REDACTED]")
	require.True(t, strings.HasPrefix(fmt.Sprintf("%#v", d), `notify.Delivery{ID:"d-1"`))

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "delivery", d)
	require.Contains(t, buf.String(), `"delivery":{"id":"d-1","endpoint":"https://hooks.example.com/cb?tenant=7&pass=REDACTED&token=REDACTED","key":"[REDACTED]"`)
	sender, err := notify.NewSender(notify.DeliveryPolicy{}, nil)
	require.NoError(t, err)
	require.Equal(t, "&notify.Sender{}", fmt.Sprint(sender))
	require.Equal(t, "&notify.memoryOutbox{deliveries: 0, endpoints: 0}", fmt.Sprint(notify.NewMemoryOutbox()))
}
