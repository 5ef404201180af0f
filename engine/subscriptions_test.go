package engine_test

import (
	"context"
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
	"github.com/a12b7632/elementevents/poller"
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
// sorted; one not named as ours or not delivered to the engine's handler
// shows as "unexpected".
func (r *subsRig) hooks(id string) []string {
	var out []string
	for _, h := range r.woo.Webhooks() {
		if !strings.HasPrefix(h.Name, "elementevents "+id+" ") {
			continue
		}
		if h.DeliveryURL != r.public.URL+"/events/woocommercerest/"+id || h.Name != "elementevents "+id+" "+h.Topic {
			out = append(out, "unexpected "+h.Name+" to "+h.DeliveryURL)
			continue
		}
		out = append(out, h.Topic+" "+h.Status)
	}
	slices.Sort(out)
	return out
}

// statuses returns the states of the status notifications received.
func (r *subsRig) statuses() []string {
	r.recv.mu.Lock()
	defer r.recv.mu.Unlock()
	var out []string
	for _, n := range r.recv.got {
		if n.Message.Status != nil {
			out = append(out, string(n.Message.Status.State))
		}
	}
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

// TestSubscriptionsFailures checks that what the store refuses is tried
// again: a registration at the Subscriber's next repair, a removal at the
// engine's next retry (both every Subscriptions.Interval, a minute here).
func TestSubscriptionsFailures(t *testing.T) {
	r := newSubsRig(t, nil)
	r.run()
	ctx := t.Context()
	down := vendortest.Fault{Resource: "webhooks", Status: http.StatusInternalServerError, Times: -1}

	r.woo.Inject(down)
	_, err := r.eng.Create(ctx, "acme", r.webhookBody("79", ""))
	require.NoError(t, err, "the API request does not wait for the vendor")
	r.until(30*time.Second, func() bool {
		return strings.Contains(r.logs.String(), "could not set up the instance's vendor webhooks")
	}, "the failure is logged")
	require.Empty(t, r.hooks("79"))
	require.NotEmpty(t, r.secretOf("79"), "the generated secret is kept even when the vendor fails: a retry registers it")
	r.until(time.Minute, func() bool { return slices.Contains(r.statuses(), "SUBSCRIPTION_FAILING") }, "the callback is told")
	r.woo.TakeFaults()
	r.until(2*time.Minute, func() bool { return slices.Equal(allTopics, r.hooks("79")) }, "registered at the next repair")
	r.until(time.Minute, func() bool { return slices.Contains(r.statuses(), "RECOVERED") }, "the callback is told")
	_, err = r.woo.CreateCustomer(ctx, vendortest.Customer{FirstName: "Cy", Email: "cy@example.com"})
	require.NoError(t, err, "the repair registered the stored secret")

	r.woo.Inject(down)
	require.NoError(t, r.eng.Delete(ctx, "acme", "79", 0))
	r.until(30*time.Second, func() bool {
		return strings.Contains(r.logs.String(), "could not remove the instance's vendor webhooks")
	}, "the failure is logged")
	require.Equal(t, allTopics, r.hooks("79"))
	r.woo.TakeFaults()
	r.until(2*time.Minute, func() bool { return len(r.hooks("79")) == 0 }, "removed at the next retry")
}

// TestSubscriptionsBackfill checks the gap filler: a webhook the store
// disabled is re-activated at the next repair, and the change it missed
// is polled once, through a poller the engine makes of the instance, and
// delivered.
func TestSubscriptionsBackfill(t *testing.T) {
	state := poller.NewMemoryState()
	r := newSubsRig(t, func(c *engine.Config) { c.State = state })
	r.run()
	ctx := t.Context()
	_, err := r.eng.Create(ctx, "acme", r.webhookBody("80", ""))
	require.NoError(t, err)
	r.eventually(func() bool { return r.secretOf("80") != "" }, "subscribed")
	first, err := r.woo.CreateCustomer(ctx, vendortest.Customer{FirstName: "Di", Email: "di@example.com"})
	require.NoError(t, err)
	r.until(time.Minute, func() bool { return len(r.recv.events()) == 1 }, "the first customer arrives by webhook")

	for _, h := range r.woo.Webhooks() {
		if h.Topic == "customer.created" {
			require.NoError(t, r.woo.SetWebhookStatus(h.ID, "disabled"))
		}
	}
	r.clock.Advance(time.Second)
	missed, err := r.woo.CreateCustomer(ctx, vendortest.Customer{FirstName: "Ed", Email: "ed@example.com"})
	require.NoError(t, err)
	want := fmt.Sprintf("CREATED customers/%d", missed.ID)
	r.during(5 * time.Second)
	require.NotContains(t, r.recv.events(), want, "the disabled webhook sent nothing")

	r.until(3*time.Minute, func() bool { return slices.Contains(r.recv.events(), want) }, "the missed customer is polled once the webhook is repaired")
	require.Equal(t, allTopics, r.hooks("80"))
	require.Equal(t, 1, strings.Count(strings.Join(r.recv.events(), "\n"), fmt.Sprintf("customers/%d", first.ID)), "the first customer is not reported again")

	// What the gap filler remembered goes with the instance.
	key := poller.StateKey{Instance: "80", Resource: "customers"}
	st, err := state.Load(ctx, key)
	require.NoError(t, err)
	require.Positive(t, st.Records.Len(), "the gap filler remembers what it saw")
	require.NoError(t, r.eng.Delete(ctx, "acme", "80", 0))
	st, err = state.Load(ctx, key)
	require.NoError(t, err)
	require.Zero(t, st.Records.Len())
	require.True(t, st.Watermark.IsZero())
}

// TestSubscriptionsRestart checks that an engine started on a store
// holding a subscribed instance reconciles it at start with the stored
// secret: nothing to write at the vendor, and deliveries verify.
func TestSubscriptionsRestart(t *testing.T) {
	store := engine.NewMemoryInstanceStore()
	r := newSubsRig(t, func(c *engine.Config) { c.Store = store })
	r.run()
	_, err := r.eng.Create(t.Context(), "acme", r.webhookBody("81", ""))
	require.NoError(t, err)
	r.eventually(func() bool { return r.secretOf("81") != "" }, "subscribed")
	r.stop()

	again, err := engine.New(r.cfg)
	require.NoError(t, err)
	r.eng = again
	mux := http.NewServeMux()
	mux.Handle("/events/{elementKey}/{instanceID}", again.Webhooks())
	r.public.Config.Handler = mux
	from := r.woo.Log().Len()
	r.run()
	r.eventually(func() bool {
		for _, q := range r.woo.Log().Since(from) {
			if q.Resource == "webhooks" {
				return true
			}
		}
		return false
	}, "reconciled at start")
	r.during(2 * time.Second)
	require.Empty(t, r.webhookWrites(from), "the stored secret is the one the store has")
	_, err = r.woo.CreateCustomer(t.Context(), vendortest.Customer{FirstName: "Fy", Email: "fy@example.com"})
	require.NoError(t, err)
}

// racingStore is an InstanceStore in which another writer updates the
// instance just before the engine stores a generated webhook secret.
type racingStore struct {
	engine.InstanceStore

	mu   sync.Mutex
	race func(ctx context.Context, cur engine.Record) engine.Record // the other writer's change
}

func (s *racingStore) Update(ctx context.Context, rec engine.Record) error {
	s.mu.Lock()
	race := s.race
	if race != nil && strings.Contains(string(rec.Body), `"webhook.secret"`) {
		s.race = nil
	} else {
		race = nil
	}
	s.mu.Unlock()
	if race != nil {
		cur, err := s.InstanceStore.Get(ctx, rec.Tenant, rec.ID)
		if err != nil {
			return err
		}
		other := race(ctx, cur)
		other.Version = cur.Version + 1
		if err := s.InstanceStore.Update(ctx, other); err != nil {
			return err
		}
	}
	return s.InstanceStore.Update(ctx, rec)
}

// TestSubscriptionsSecretConflict checks the versioned write of a
// generated secret when another write came first: retried on the new
// version when it changed nothing the vendor webhooks depend on; else
// left to the reconcile of the new version (here, once the engine
// reloads the store), which stores the secret then.
func TestSubscriptionsSecretConflict(t *testing.T) {
	tests := []struct {
		name        string
		from, to    string
		wantVersion int64
		wantHooks   []string
		wantName    string
		atOnce      bool // stored by the first reconcile
	}{
		{"renamed: retried", `"name":"hooked"`, `"name":"renamed"`, 3, allTopics, "renamed", true},
		{"objects changed: reconciled again", `"event.objects":"customers"`, `"event.objects":"customers,orders"`, 3,
			append(slices.Clone(allTopics), "order.created active", "order.deleted active", "order.updated active"), "hooked", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &racingStore{InstanceStore: engine.NewMemoryInstanceStore()}
			store.race = func(_ context.Context, cur engine.Record) engine.Record {
				require.Contains(t, string(cur.Body), tt.from)
				cur.Body = []byte(strings.Replace(string(cur.Body), tt.from, tt.to, 1))
				return cur
			}
			r := newSubsRig(t, func(c *engine.Config) { c.Store = store })
			r.run()
			_, err := r.eng.Create(t.Context(), "acme", r.webhookBody("82", ""))
			require.NoError(t, err)
			r.eventually(func() bool { return strings.Contains(r.logs.String(), "vendor webhooks are in place") }, "the first reconcile ends")
			if tt.atOnce {
				require.NotEmpty(t, r.secretOf("82"), "the secret is stored by the first reconcile")
			} else {
				require.Empty(t, r.secretOf("82"), "not stored on a version the first reconcile did not see")
			}
			r.until(2*time.Minute, func() bool { return r.secretOf("82") != "" && slices.Equal(tt.wantHooks, r.hooks("82")) },
				"the secret is stored and the webhooks are in place")
			inst, err := r.eng.Get(t.Context(), "acme", "82")
			require.NoError(t, err)
			require.Equal(t, tt.wantVersion, inst.Version)
			require.Equal(t, tt.wantName, inst.Config.Name)
			_, err = r.woo.CreateCustomer(t.Context(), vendortest.Customer{FirstName: "Gi", Email: "gi@example.com"})
			require.NoError(t, err, "the stored secret is the store's")
		})
	}
}

// TestSubscriptionsStoreMoved checks that an instance whose store URL
// changes has its webhooks removed from the old store and registered at
// the new one.
func TestSubscriptionsStoreMoved(t *testing.T) {
	r := newSubsRig(t, nil)
	r.run()
	ctx := t.Context()
	_, err := r.eng.Create(ctx, "acme", r.webhookBody("83", ""))
	require.NoError(t, err)
	r.eventually(func() bool { return slices.Equal(allTopics, r.hooks("83")) }, "registered at the first store")

	old := r.woo
	r.woo = vendortest.ServeWooCommerce(t, vendortest.WooConfig{Key: wooKey, Secret: wooSecret, Clock: r.clock})
	_, err = r.eng.Patch(ctx, "acme", "83", 0, []byte(`{"configuration":{"store.url":"`+r.woo.URL()+`"}}`))
	require.NoError(t, err)
	r.eventually(func() bool { return slices.Equal(allTopics, r.hooks("83")) }, "registered at the new store")
	require.Empty(t, old.Webhooks(), "removed from the old store")
	_, err = r.woo.CreateCustomer(ctx, vendortest.Customer{FirstName: "Hu", Email: "hu@example.com"})
	require.NoError(t, err, "the new store's webhooks carry the stored secret")
}

// TestSubscriptionsConfig checks that a PublicURL the Subscriber cannot
// use is refused by New, naming the field, and that none turns them off.
func TestSubscriptionsConfig(t *testing.T) {
	tests := []struct {
		name      string
		publicURL string
		wantErr   error
	}{
		{"off", "", nil},
		{"https", "https://hooks.example.com", nil},
		{"relative", "hooks.example.com/events", engine.ErrConfig},
		{"with query", "https://hooks.example.com/?a=b", engine.ErrConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := engine.New(engine.Config{Subscriptions: webhook.SubscriberConfig{PublicURL: tt.publicURL}})
			require.ErrorIs(t, err, tt.wantErr)
			if tt.wantErr != nil {
				require.ErrorContains(t, err, "Subscriptions")
			}
		})
	}
}
