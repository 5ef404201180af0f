package engine_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/internal/logbuf"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/vendortest"
	"github.com/a12b7632/elementevents/webhook"
)

// subsRig is a rig whose engine registers its webhook instances' vendor
// webhooks at the fake store, its Webhooks handler served at the public
// URL the store delivers to.
type subsRig struct {
	*rig
	public *httptest.Server
	logs   *logbuf.Buffer
}

// newSubsRig returns a subsRig, not yet running; mod changes the engine's
// configuration further.
func newSubsRig(t *testing.T, mod func(*engine.Config)) *subsRig {
	t.Helper()
	sr := &subsRig{logs: &logbuf.Buffer{}}
	// The public server comes first: the engine needs its URL, and it
	// serves the engine's handler.
	var (
		mu      sync.Mutex
		handler http.Handler = http.NotFoundHandler()
	)
	sr.public = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mu.Lock()
		h := handler
		mu.Unlock()
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(sr.public.Close)
	sr.rig = newRig(t, func(c *engine.Config) {
		c.Logger = slog.New(slog.NewTextHandler(sr.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		c.Subscriptions = webhook.SubscriberConfig{
			PublicURL: sr.public.URL,
			Guard:     netguard.Guard{AllowPrivate: true},
			Interval:  time.Minute,
		}
		if mod != nil {
			mod(c)
		}
	})
	mux := http.NewServeMux()
	mux.Handle("/events/{elementKey}/{instanceID}", sr.eng.Webhooks())
	mu.Lock()
	handler = mux
	mu.Unlock()
	return sr
}

// webhookBody returns a webhook instance body of the rig's store for
// customers, with extra configuration keys.
func (r *subsRig) webhookBody(id, extra string) []byte {
	return []byte(`{"id": "` + id + `", "name": "hooked", "element": {"key": "woocommercerest"}, "tags": ["shop"],
	  "configuration": {` + extra + `
	    "store.url": "` + r.woo.URL() + `",
	    "oauth.api.key": "` + wooKey + `", "oauth.api.secret": "` + wooSecret + `",
	    "event.notification.enabled": "true", "event.vendor.type": "webhook",
	    "event.objects": "customers",
	    "event.notification.callback.url": "` + r.recv.srv.URL + `/cb",
	    "event.notification.signature.key": "whsec-engine"}}`)
}

// hooks returns the store's webhooks of instance id as "topic status",
// sorted, after checking each is delivered to the engine's handler.
func (r *subsRig) hooks(id string) []string {
	r.t.Helper()
	var out []string
	for _, h := range r.woo.Webhooks() {
		if !strings.HasPrefix(h.Name, "elementevents "+id+" ") {
			continue
		}
		require.Equal(r.t, r.public.URL+"/events/woocommercerest/"+id, h.DeliveryURL)
		require.Equal(r.t, "elementevents "+id+" "+h.Topic, h.Name)
		out = append(out, h.Topic+" "+h.Status)
	}
	slices.Sort(out)
	return out
}

// eventually waits, in real time, for cond: the subscriptions are synced
// off the engine's writes, by Run's workers.
func (r *subsRig) eventually(cond func() bool, msg string) {
	r.t.Helper()
	require.Eventually(r.t, cond, 10*time.Second, 5*time.Millisecond, msg)
}

// secretOf returns the stored webhook.secret of instance id.
func (r *subsRig) secretOf(id string) string {
	r.t.Helper()
	inst, err := r.eng.Get(r.t.Context(), "acme", id)
	require.NoError(r.t, err)
	s, _ := inst.Config.Configuration.Get("webhook.secret")
	return s
}

// webhookWrites returns the requests since log index from to the store's
// webhooks resource that change something, as "METHOD path".
func (r *subsRig) webhookWrites(from int) []string {
	var out []string
	for _, q := range r.woo.Log().Since(from) {
		if q.Resource == "webhooks" && q.Method != http.MethodGet {
			out = append(out, q.Method+" "+strings.TrimPrefix(q.Path, vendortest.WooAPIPath))
		}
	}
	return out
}

var allTopics = []string{"customer.created active", "customer.deleted active", "customer.updated active"}

// TestSubscriptionsLifecycle follows a webhook instance through the
// engine: created, its vendor webhooks registered at the store and a
// generated secret kept in its body; a customer created at the store
// delivered to the callback; disabled, enabled and changed to polling,
// its webhooks removed and registered again; deleted, removed.
func TestSubscriptionsLifecycle(t *testing.T) {
	r := newSubsRig(t, nil)
	r.run()
	ctx := t.Context()

	created, err := r.eng.Create(ctx, "acme", r.webhookBody("77", ""))
	require.NoError(t, err)
	r.eventually(func() bool { return r.secretOf("77") != "" }, "the generated secret is stored")
	require.Equal(t, allTopics, r.hooks("77"), "one webhook per topic, delivered to the public URL")
	inst, err := r.eng.Get(ctx, "acme", "77")
	require.NoError(t, err)
	require.Equal(t, created.Version+1, inst.Version, "one versioned write keeps the secret")
	secret := r.secretOf("77")
	require.GreaterOrEqual(t, len(secret), 43, "32 random bytes")
	require.Contains(t, string(inst.Body), `"webhook.secret":"`+secret+`"`)
	require.Equal(t, created.Token, inst.Token)

	// The engine's own write is not reconciled again: nothing more is
	// sent to the store.
	from := r.woo.Log().Len()
	r.during(2 * time.Second)
	require.Empty(t, r.woo.Log().Since(from))

	// A customer created at the store reaches the callback through the
	// handler, which verified the delivery with the stored secret.
	c, err := r.woo.CreateCustomer(ctx, vendortest.Customer{FirstName: "Ada", Email: "ada@example.com"})
	require.NoError(t, err, "the engine's handler accepted the delivery")
	want := fmt.Sprintf("CREATED customers/%d", c.ID)
	r.until(time.Minute, func() bool { return slices.Contains(r.recv.events(), want) }, "the customer reaches the callback")

	steps := []struct {
		name  string
		write func() error
		want  []string
	}{
		{"disable", func() error { _, err := r.eng.SetEnabled(ctx, "acme", "77", false); return err }, nil},
		{"enable", func() error { _, err := r.eng.SetEnabled(ctx, "acme", "77", true); return err }, allTopics},
		{"to polling", func() error {
			_, err := r.eng.Patch(ctx, "acme", "77", 0, []byte(`{"configuration":{"event.vendor.type":"polling"}}`))
			return err
		}, nil},
		{"back to webhook", func() error {
			_, err := r.eng.Patch(ctx, "acme", "77", 0, []byte(`{"configuration":{"event.vendor.type":"webhook"}}`))
			return err
		}, allTopics},
		{"delete", func() error { return r.eng.Delete(ctx, "acme", "77", 0) }, nil},
	}
	for _, step := range steps {
		require.NoError(t, step.write(), step.name)
		r.eventually(func() bool { return slices.Equal(step.want, r.hooks("77")) }, step.name)
		if step.want != nil {
			require.Equal(t, secret, r.secretOf("77"), "%s: the stored secret is kept", step.name)
		}
	}
	require.Empty(t, r.woo.Webhooks(), "nothing of the instance is left at the store")

	logs := r.logs.String()
	require.NotContains(t, logs, secret)
	require.NotContains(t, logs, wooSecret)
}

// TestSubscriptionsOwnSecret checks that a webhook instance with its own
// webhook.secret is registered with it and not written to.
func TestSubscriptionsOwnSecret(t *testing.T) {
	r := newSubsRig(t, nil)
	r.run()
	created, err := r.eng.Create(t.Context(), "acme", r.webhookBody("78", `"webhook.secret": "whsec-own",`))
	require.NoError(t, err)
	r.eventually(func() bool { return slices.Equal(allTopics, r.hooks("78")) }, "registered")
	r.during(2 * time.Second)
	inst, err := r.eng.Get(t.Context(), "acme", "78")
	require.NoError(t, err)
	require.Equal(t, created.Version, inst.Version, "no write")
	require.Equal(t, "whsec-own", r.secretOf("78"))
	_, err = r.woo.CreateCustomer(t.Context(), vendortest.Customer{FirstName: "Bo", Email: "bo@example.com"})
	require.NoError(t, err, "delivered signed with the instance's own secret")
}
