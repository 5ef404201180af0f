package webhook_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/vendortest"
)

// TestSubscriberEndToEnd goes from a new webhook instance to a
// notification: Reconcile subscribes at the fake store, a customer is
// created there, the store delivers a signed webhook to the Handler at
// the public URL, and the events reach the Sink.
func TestSubscriberEndToEnd(t *testing.T) {
	t.Parallel()
	r := newSubRig(t, nil)
	original := r.inst
	require.NoError(t, r.reconcile(t))

	require.Equal(t, []string{"customer.created active", "customer.deleted active", "customer.updated active"}, r.ours())
	for _, h := range r.store.Webhooks() {
		require.Equal(t, r.public.URL+"/events/woocommercerest/42", h.DeliveryURL)
		require.Equal(t, "elementevents 42 "+h.Topic, h.Name)
	}
	secret, ok := r.inst.Configuration.Get("webhook.secret")
	require.True(t, ok)
	require.GreaterOrEqual(t, len(secret), 43, "32 random bytes")
	_, had := original.Configuration.Get("webhook.secret")
	require.False(t, had, "the caller's instance is not changed")
	require.Equal(t, original.Configuration.Events.CallbackURL, r.inst.Configuration.Events.CallbackURL)
	evs, statuses, _ := r.summary()
	require.Empty(t, evs, "the store's pings yield no event")
	require.Empty(t, statuses)
	for _, q := range r.store.Log().Since(0) {
		require.NotEmpty(t, q.Query.Get("oauth_signature"), "every request to an http store is signed: %s %s", q.Method, q.Path)
	}

	c, err := r.store.CreateCustomer(t.Context(), vendortest.Customer{FirstName: "Ada", Email: "ada@example.com"})
	require.NoError(t, err, "the Handler verified the delivery with the generated secret")
	_, err = r.store.UpdateCustomer(t.Context(), c.ID, func(c *vendortest.Customer) { c.LastName = "Lovelace" })
	require.NoError(t, err)
	require.NoError(t, r.store.Delete(t.Context(), "customers", c.ID))
	batches := r.rec.Take()
	require.Len(t, batches, 3)
	for _, b := range batches {
		require.Equal(t, "42", b.Instance.ID)
		require.Equal(t, "API_WEBHOOK", b.Instance.Name)
		require.Equal(t, "https://consumer.example.com/callback", b.Endpoint.URL)
		require.Equal(t, events.FromWebhook, b.Source)
	}
	var got []string
	for _, e := range eventsOf(batches) {
		got = append(got, string(e.Type)+" "+e.ObjectType+" "+e.ObjectID)
	}
	require.Equal(t, []string{"CREATED customers 1", "UPDATED customers 1", "DELETED customers 1"}, got)

	// A second reconcile finds everything in place: one list, no write.
	from := r.store.Log().Len()
	require.NoError(t, r.reconcile(t))
	require.Empty(t, r.writes(from))
	require.Len(t, r.store.Log().Since(from), 1)

	// The same instance given again, without the secret the host should
	// have kept, is still reconciled without a write.
	_, err = r.sub.Reconcile(t.Context(), original)
	require.NoError(t, err)
	require.Empty(t, r.writes(from))

	logs := r.logs.String()
	for _, s := range []string{subSecret, secret} {
		require.NotContains(t, logs, s)
	}
}

// TestSubscriberReconcileChanges checks what Reconcile changes at the
// vendor: a new public URL, objects added and removed, others' webhooks
// left alone, and everything of ours removed with the instance.
func TestSubscriberReconcileChanges(t *testing.T) {
	t.Parallel()
	r := newSubRig(t, nil)
	theirs := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(theirs.Close)
	_, err := r.store.AddWebhook(t.Context(), "customer.created", theirs.URL, "their-secret")
	require.NoError(t, err)
	require.NoError(t, r.reconcile(t))
	require.Len(t, r.store.Webhooks(), 4)

	// Another instance of the same store, id 421: its name must not be
	// taken for one of 42's.
	other := newSubRig(t, nil)
	twin := *r.inst
	twin.ID = "421"
	_, err = other.sub.Reconcile(t.Context(), &twin)
	require.Error(t, err, "other's Guard does not allow this store")
	r.mu.Lock()
	saved := r.inst
	r.inst = &twin
	r.mu.Unlock()
	require.NoError(t, r.reconcile(t))
	r.mu.Lock()
	r.inst = saved
	r.mu.Unlock()
	require.Len(t, r.store.Webhooks(), 7)

	t.Run("objects added then removed", func(t *testing.T) {
		from := r.store.Log().Len()
		r.inst.Configuration.Events.Objects = []string{"customers", "orders"}
		require.NoError(t, r.reconcile(t))
		require.Equal(t, []string{"POST /webhooks", "POST /webhooks", "POST /webhooks"}, r.writes(from))
		require.Contains(t, r.ours(), "order.updated active")

		from = r.store.Log().Len()
		r.inst.Configuration.Events.Objects = []string{"customers"}
		require.NoError(t, r.reconcile(t))
		w := r.writes(from)
		require.Len(t, w, 3)
		for _, x := range w {
			require.True(t, strings.HasPrefix(x, "DELETE /webhooks/"), x)
		}
		require.Equal(t, []string{"customer.created active", "customer.deleted active", "customer.updated active"}, r.ours())
	})

	t.Run("a new public URL is fixed by PUT", func(t *testing.T) {
		cfg := r.cfg
		cfg.PublicURL = theirs.URL + "/hooks/"
		moved, err := newSubscriberFrom(cfg)
		require.NoError(t, err)
		from := r.store.Log().Len()
		_, err = moved.Reconcile(t.Context(), r.inst)
		require.NoError(t, err)
		require.Equal(t, []string{"PUT /webhooks/2", "PUT /webhooks/3", "PUT /webhooks/4"}, slices.Sorted(slices.Values(r.writes(from))))
		for _, h := range r.store.Webhooks() {
			if strings.HasPrefix(h.Name, "elementevents 42 ") {
				require.Equal(t, theirs.URL+"/hooks/events/woocommercerest/42", h.DeliveryURL)
			}
		}
		from = r.store.Log().Len()
		_, err = moved.Reconcile(t.Context(), r.inst)
		require.NoError(t, err)
		require.Empty(t, r.writes(from))
	})

	t.Run("removing the instance deletes ours only", func(t *testing.T) {
		require.NoError(t, r.sub.Remove(t.Context(), r.inst))
		require.Empty(t, r.ours())
		var left []string
		for _, h := range r.store.Webhooks() {
			left = append(left, h.Name)
		}
		require.Len(t, left, 4)
		require.Contains(t, left[0], "Webhook created on", "theirs is untouched")
		for _, n := range left[1:] {
			require.True(t, strings.HasPrefix(n, "elementevents 421 "), n)
		}
	})

	t.Run("disabling events removes ours", func(t *testing.T) {
		r.mu.Lock()
		r.inst = &twin
		r.mu.Unlock()
		twin.Configuration.Events.Enabled = false
		require.NoError(t, r.reconcile(t))
		require.Len(t, r.store.Webhooks(), 1)
		require.Equal(t, "customer.created", r.store.Webhooks()[0].Topic)
	})
}

// TestSubscriberDrift checks the repair of a subscription the store
// disabled, and one its admin deleted: the next reconcile re-activates or
// recreates it, and the changes made meanwhile arrive once, through the
// gap fill, from the time of the last webhook received.
func TestSubscriberDrift(t *testing.T) {
	t.Parallel()
	r := newSubRig(t, nil)
	require.NoError(t, r.reconcile(t))
	a, err := r.store.CreateCustomer(t.Context(), vendortest.Customer{FirstName: "Ann", Email: "ann@example.com"})
	require.NoError(t, err)
	evs, _, _ := r.summary()
	require.Equal(t, []string{"CREATED 1"}, evs)
	received := r.clock.Now()

	r.clock.Advance(10 * time.Minute)
	for _, h := range r.store.Webhooks() {
		require.NoError(t, r.store.SetWebhookStatus(h.ID, "disabled"))
	}
	r.clock.Advance(time.Minute)
	b, err := r.store.CreateCustomer(t.Context(), vendortest.Customer{FirstName: "Bob", Email: "bob@example.com"})
	require.NoError(t, err)
	_, err = r.store.UpdateCustomer(t.Context(), a.ID, func(c *vendortest.Customer) { c.LastName = "Smith" })
	require.NoError(t, err)
	evs, _, _ = r.summary()
	require.Empty(t, evs, "nothing is delivered while the webhooks are disabled")

	r.clock.Advance(15 * time.Minute)
	from := r.store.Log().Len()
	require.NoError(t, r.reconcile(t))
	require.Equal(t, []string{"customer.created active", "customer.deleted active", "customer.updated active"}, r.ours())
	require.Len(t, r.writes(from), 3, "three PUTs")
	require.Equal(t, []string{"customers " + received.UTC().Format(time.RFC3339)}, r.backs)
	evs, statuses, ids := r.summary()
	slices.Sort(evs)
	require.Equal(t, []string{"CREATED 2", "UPDATED 1"}, evs, "the missed changes, by the gap fill")
	require.Empty(t, statuses, "a repaired subscription is not a failing one")

	// Deliveries resume.
	c, err := r.store.CreateCustomer(t.Context(), vendortest.Customer{FirstName: "Cy", Email: "cy@example.com"})
	require.NoError(t, err)
	evs2, _, ids2 := r.summary()
	require.Equal(t, []string{"CREATED 3"}, evs2)
	all := append(ids, ids2...)
	require.Len(t, slices.Compact(slices.Sorted(slices.Values(all))), len(all), "every change once")

	// The admin deletes one of ours; it is recreated and the gap filled
	// from the last webhook received: Bob's deletion, which its own
	// webhook still delivered.
	r.clock.Advance(5 * time.Minute)
	hooks := r.store.Webhooks()
	require.Equal(t, "customer.updated", hooks[len(hooks)-1].Topic)
	require.NoError(t, r.store.DeleteWebhook(hooks[len(hooks)-1].ID))
	require.NoError(t, r.store.Delete(t.Context(), "customers", b.ID))
	received = r.clock.Now()
	r.clock.Advance(time.Minute)
	_, err = r.store.UpdateCustomer(t.Context(), c.ID, func(c *vendortest.Customer) { c.LastName = "Young" })
	require.NoError(t, err)
	from = r.store.Log().Len()
	r.clock.Advance(time.Minute)
	require.NoError(t, r.reconcile(t))
	require.Equal(t, []string{"POST /webhooks"}, r.writes(from))
	require.Equal(t, "customers "+received.UTC().Format(time.RFC3339), r.backs[1])
	evs, _, _ = r.summary()
	slices.Sort(evs)
	require.Equal(t, []string{"DELETED 2", "UPDATED 3"}, evs)
}

// newSubscriberFrom is webhook.NewSubscriber, for tests that change a
// rig's configuration.
var newSubscriberFrom = newSubscriber
