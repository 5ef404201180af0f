package poller_test

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events/eventstest"
	"github.com/a12b7632/elementevents/internal/logbuf"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
)

// TestPollerWooRefusals polls a store over http that checks OAuth 1.0a as
// WooCommerce does, with what gets a real store's 401: a wrong consumer
// secret, and a host clock 20 minutes behind the store's (WooCommerce
// refuses a timestamp more than 15 minutes old). Each is an error that
// names the instance, the configuration keys and the vendor's reason,
// stops the resource (no retry, no second request) and holds no secret.
func TestPollerWooRefusals(t *testing.T) {
	t.Parallel()
	storeNow := since.Add(5 * time.Minute) // the clock of newWooStore
	tests := []struct {
		name   string
		secret string
		clock  time.Time
		reason string
	}{
		{"wrong consumer secret", "cs_not_the_one", storeNow, `"Invalid signature - provided signature does not match."`},
		{"clock 20 minutes behind the store", wooSecret, storeNow.Add(-20 * time.Minute), `"Invalid timestamp."`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := newWooStore(t, 2)
			inst, err := element.Parse([]byte(`{"id": "shop-9", "element": {"key": "woocommercerest"}, "name": "shop",
				"configuration": {"store.url": "` + store.URL() + `", "oauth.api.key": "` + wooKey + `",
				"oauth.api.secret": "` + tt.secret + `", "event.vendor.type": "polling",
				"event.notification.enabled": "true", "event.notification.callback.url": "https://cb.example/hook",
				"event.objects": "customers"}}`))
			require.NoError(t, err)
			var logs logbuf.Buffer
			var refused []string
			p, err := poller.New(poller.Config{
				Instance: inst, Sink: &eventstest.Recorder{}, Clock: clockwork.NewFakeClockAt(tt.clock),
				Guard:  allowServers(t, netguard.Guard{}, store.URL()),
				Logger: slog.New(slog.NewTextHandler(&logs, nil)),
				OnAuthError: func(resource string, err error) {
					refused = append(refused, resource)
				},
			})
			require.NoError(t, err)
			res := p.Poll(t.Context())
			require.Len(t, res, 1)
			err = res[0].Err
			require.ErrorIs(t, err, poller.ErrUnauthorized)
			msg := err.Error()
			for _, want := range []string{"shop-9", "customers", "status 401", "woocommerce_rest_authentication_error", tt.reason, "oauth.api.key, oauth.api.secret"} {
				require.Contains(t, msg, want)
			}
			require.Equal(t, []string{"customers"}, refused)
			requests := store.Log().Len()
			require.Equal(t, 1, requests, "a refusal is not retried")

			res = p.Poll(t.Context())
			require.True(t, errors.Is(res[0].Err, poller.ErrUnauthorized), "the resource stays stopped")
			require.Equal(t, requests, store.Log().Len(), "a stopped resource sends nothing")
			for _, s := range []string{tt.secret, wooSecret} {
				require.NotContains(t, msg, s)
				require.NotContains(t, logs.String(), s)
			}
		})
	}
}
