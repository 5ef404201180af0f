package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/internal/logbuf"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/signature"
	"github.com/a12b7632/elementevents/vendortest"
	"github.com/a12b7632/elementevents/webhook"
)

// TestSubscriptionToCallback is the whole path on the real clock, as a
// host wires it: an instance is created, Reconcile subscribes it at the
// fake WooCommerce store, a customer is created at the store, the store
// delivers a signed webhook to the Handler, and the Notifier posts a
// signed notification that a receiver.Receiver at the callback verifies.
func TestSubscriptionToCallback(t *testing.T) {
	t.Parallel()
	var logs logbuf.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	store := vendortest.ServeWooCommerce(t, vendortest.WooConfig{Key: subKey, Secret: subSecret})

	const signingKey = "consumer-signing-key-0123"
	got := make(chan events.Notification, 4)
	rcv, err := receiver.New(receiver.Config{Keys: []signature.Key{signature.Key(signingKey)},
		Handle: func(_ context.Context, n events.Notification) error { got <- n; return nil }})
	require.NoError(t, err)
	callback := httptest.NewServer(rcv)
	t.Cleanup(callback.Close)

	n, err := notify.New(notify.Config{Logger: logger, Policy: notify.DeliveryPolicy{
		Guard: netguard.Guard{AllowAddrPorts: []netip.AddrPort{addrOf(t, callback.URL)}}}})
	require.NoError(t, err)
	ctx, stop := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { _ = n.Run(ctx) })
	t.Cleanup(func() { stop(); wg.Wait() })

	// The host keeps its instances; the Handler reads them through it.
	var (
		mu    sync.Mutex
		insts = map[string]*element.Instance{}
	)
	var handler http.Handler = http.NotFoundHandler()
	var hmu sync.Mutex
	public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hmu.Lock()
		h := handler
		hmu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(public.Close)
	sub, err := webhook.NewSubscriber(webhook.SubscriberConfig{PublicURL: public.URL, Sink: n, Logger: logger,
		Guard: netguard.Guard{AllowAddrPorts: []netip.AddrPort{addrOf(t, store.URL())}}})
	require.NoError(t, err)
	h, err := webhook.New(webhook.Config{Sink: n, Logger: logger, Subscriber: sub,
		Resolve: func(_ context.Context, _, id string) (*element.Instance, error) {
			mu.Lock()
			defer mu.Unlock()
			if inst, ok := insts[id]; ok {
				return inst, nil
			}
			return nil, webhook.ErrUnknownInstance
		}})
	require.NoError(t, err)
	hmu.Lock()
	handler = h
	hmu.Unlock()

	body := fmt.Sprintf(`{"id": "77", "name": "shop hooks", "element": {"key": "woocommercerest"}, "tags": ["e2e"],
	  "configuration": {"store.url": %q, "oauth.api.key": %q, "oauth.api.secret": %q,
	    "event.notification.enabled": "true", "event.vendor.type": "webhook", "event.objects": "customers",
	    "event.notification.callback.url": %q, "event.notification.signature.key": %q}}`,
		store.URL(), subKey, subSecret, callback.URL+"/element-events", signingKey)
	inst, err := element.Parse([]byte(body))
	require.NoError(t, err)
	require.NoError(t, inst.Validate())
	kept, err := sub.Reconcile(t.Context(), inst)
	require.NoError(t, err)
	mu.Lock()
	insts[kept.ID] = kept // the host persists the instance with its webhook secret
	mu.Unlock()
	require.Len(t, store.Webhooks(), 3, "one webhook a topic")

	_, err = store.CreateCustomer(t.Context(), vendortest.Customer{FirstName: "Ada", Email: "ada@example.com"})
	require.NoError(t, err)
	select {
	case note := <-got:
		m := note.Message
		require.Equal(t, "77", m.InstanceID)
		require.Equal(t, []string{"e2e"}, m.InstanceTags)
		require.Len(t, m.Events, 1)
		require.Equal(t, events.Created, m.Events[0].EventType)
		require.Equal(t, "customers", m.Events[0].ObjectType)
		require.Equal(t, "1", m.Events[0].ObjectID)
		require.JSONEq(t, `"ada@example.com"`, string(rawField(t, m.Raw, "email")))
	case <-time.After(10 * time.Second):
		t.Fatalf("no notification at the callback; logs:\n%s", logs.String())
	}

	secret, _ := kept.Configuration.Get("webhook.secret")
	for _, s := range []string{subSecret, secret, signingKey} {
		require.NotContains(t, logs.String(), s)
	}
}

// rawField returns a top-level field of a JSON object.
func rawField(t *testing.T, raw []byte, name string) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &m), "raw: %s", raw)
	return m[name]
}
