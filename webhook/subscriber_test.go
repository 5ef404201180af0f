package webhook_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/vendortest"
	"github.com/a12b7632/elementevents/webhook"
)

// requests counts the requests the store saw since from, by method.
func (r *subRig) requests(from int) map[string]int {
	n := map[string]int{}
	for _, q := range r.store.Log().Since(from) {
		n[q.Method]++
	}
	return n
}

// TestSubscriberRefused checks a registration the store refuses: a clear
// error naming the instance and the configuration key, no retry, one
// SubscriptionFailing status and one warning however often it fails, and
// one Recovered status and one warning once it works.
func TestSubscriberRefused(t *testing.T) {
	t.Parallel()
	r := newSubRig(t, nil)
	r.store.SetCredentials(subKey, "cs_regenerated")
	from := r.store.Log().Len()
	err := r.reconcile(t)
	require.Error(t, err)
	se, ok := errors.AsType[*webhook.SubscriptionError](err)
	require.True(t, ok, "%T", err)
	require.Equal(t, "42", se.Instance)
	require.Equal(t, "woocommercerest", se.Element)
	require.Equal(t, "list", se.Op)
	require.Equal(t, 401, se.StatusCode)
	require.Equal(t, "woocommerce_rest_authentication_error", se.Code)
	require.Equal(t, "oauth.api.key, oauth.api.secret", se.ConfigKey)
	require.Contains(t, err.Error(), `instance "42" (woocommercerest): subscription list: vendor answered 401 woocommerce_rest_authentication_error`)
	require.Contains(t, err.Error(), "configuration key oauth.api.key, oauth.api.secret")
	require.NotContains(t, err.Error(), subSecret)
	require.Equal(t, map[string]int{"GET": 1}, r.requests(from), "a 401 is not retried")

	require.Error(t, r.reconcile(t))
	_, statuses, _ := r.summary()
	require.Equal(t, []string{"SUBSCRIPTION_FAILING"}, statuses, "once, not every run")

	r.store.SetCredentials(subKey, subSecret)
	require.NoError(t, r.reconcile(t))
	require.NoError(t, r.reconcile(t))
	batches := r.rec.Take()
	require.Len(t, batches, 1)
	st := batches[0].Status
	require.Equal(t, events.Recovered, st.State)
	require.Equal(t, events.SubscriptionFailing, st.Cause)
	require.Equal(t, "42", batches[0].Instance.ID)
	require.Equal(t, "https://consumer.example.com/callback", batches[0].Endpoint.URL)
	logs := r.logs.String()
	require.Equal(t, 1, strings.Count(logs, "cannot be set up or repaired"), logs)
	require.Equal(t, 1, strings.Count(logs, "in place again"), logs)
	require.NotContains(t, logs, subSecret)
}

// TestSubscriberFailingStatus checks the status sent when the store
// refuses a webhook: its configuration key and count.
func TestSubscriberFailingStatus(t *testing.T) {
	t.Parallel()
	r := newSubRig(t, nil)
	r.store.SetCredentials("ck_other", subSecret)
	require.Error(t, r.reconcile(t))
	b := r.rec.Take()
	require.Len(t, b, 1)
	st := b[0].Status
	require.Equal(t, events.SubscriptionFailing, st.State)
	require.Equal(t, "oauth.api.key, oauth.api.secret", st.ConfigKey)
	require.Equal(t, subT0, st.Date)
	require.Contains(t, st.Reason, "vendor answered 401")
	require.Equal(t, []byte("consumer-signing-key"), []byte(b[0].Endpoint.Key))
}

// TestSubscriberBadRequest checks a webhook the store refuses with 400
// and WooCommerce's error body: each topic tried once, the error carries
// the vendor's code and message.
func TestSubscriberBadRequest(t *testing.T) {
	t.Parallel()
	r := newSubRig(t, nil)
	r.inst.Configuration.Events.Objects = []string{"widgets"}
	from := r.store.Log().Len()
	err := r.reconcile(t)
	require.Error(t, err)
	se, ok := errors.AsType[*webhook.SubscriptionError](err)
	require.True(t, ok)
	require.Equal(t, 400, se.StatusCode)
	require.Equal(t, "woocommerce_rest_shop_webhook_invalid_topic", se.Code)
	require.Equal(t, "Webhook topic is required and must be valid.", se.Message)
	require.Equal(t, "create widgets.created", se.Op)
	require.Equal(t, "event.objects", se.ConfigKey)
	require.Contains(t, err.Error(), `instance "42"`)
	require.Contains(t, err.Error(), "create widgets.deleted")
	require.Equal(t, map[string]int{"GET": 1, "POST": 3}, r.requests(from), "a 400 is not retried")
	_, statuses, _ := r.summary()
	require.Equal(t, []string{"SUBSCRIPTION_FAILING"}, statuses)
	require.Empty(t, r.rec.Batches(), "nothing else published")
}

// TestSubscriberRetries checks that a 503 is retried after a wait on the
// clock, and that a guard's refusal or a missing credential is not.
func TestSubscriberRetries(t *testing.T) {
	t.Parallel()
	t.Run("503 then success", func(t *testing.T) {
		t.Parallel()
		r := newSubRig(t, nil)
		r.store.Inject(vendortest.Fault{Resource: "webhooks", Status: 503})
		done := make(chan error, 1)
		go func() { done <- r.reconcile(t) }()
		require.NoError(t, r.clock.BlockUntilContext(t.Context(), 1))
		r.clock.Advance(time.Second)
		require.NoError(t, <-done)
		require.Len(t, r.ours(), 3)
	})
	t.Run("refused by the guard", func(t *testing.T) {
		t.Parallel()
		r := newSubRig(t, func(c *webhook.SubscriberConfig) { c.Guard = netguard.Guard{} })
		err := r.reconcile(t)
		require.ErrorIs(t, err, netguard.ErrRefused)
		require.Contains(t, err.Error(), "configuration key store.url")
		require.Zero(t, r.store.Log().Len(), "nothing reached the store")
	})
	t.Run("missing credential", func(t *testing.T) {
		t.Parallel()
		r := newSubRig(t, nil)
		r.inst.Configuration.Set("oauth.api.secret", " ")
		err := r.reconcile(t)
		se, ok := errors.AsType[*webhook.SubscriptionError](err)
		require.True(t, ok)
		require.Equal(t, "oauth.api.secret", se.ConfigKey)
		require.Equal(t, "configure", se.Op)
		require.Zero(t, r.store.Log().Len())
	})
}

// TestSubscriberRun checks that Run reconciles at the interval on the
// clock, repairing a webhook the store disabled.
func TestSubscriberRun(t *testing.T) {
	t.Parallel()
	r := newSubRig(t, nil)
	require.NoError(t, r.reconcile(t))
	for _, h := range r.store.Webhooks() {
		require.NoError(t, r.store.SetWebhookStatus(h.ID, "paused"))
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.sub.Run(ctx) }()
	require.NoError(t, r.clock.BlockUntilContext(ctx, 1))
	r.clock.Advance(14 * time.Minute)
	require.Equal(t, []string{"customer.created paused", "customer.deleted paused", "customer.updated paused"}, r.ours())
	r.clock.Advance(time.Minute) // the instance's refresh interval, 15 minutes
	require.Eventually(t, func() bool {
		return strings.Join(r.ours(), ",") == "customer.created active,customer.deleted active,customer.updated active"
	}, 5*time.Second, 10*time.Millisecond)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

// TestSubscriberBackfillRetried checks that a gap fill that fails is an
// error of the reconcile, and is tried again at the next one.
func TestSubscriberBackfillRetried(t *testing.T) {
	t.Parallel()
	r := newSubRig(t, nil)
	require.NoError(t, r.reconcile(t))
	require.NoError(t, r.store.SetWebhookStatus(1, "disabled"))
	r.backMu.Lock()
	r.backErr = errors.New("poller busy")
	r.backMu.Unlock()
	r.clock.Advance(time.Minute)
	err := r.reconcile(t)
	require.ErrorContains(t, err, "subscription backfill customers: poller busy")
	r.backMu.Lock()
	r.backErr = nil
	r.backMu.Unlock()
	require.NoError(t, r.reconcile(t))
	require.Equal(t, []string{"customers " + subT0.Format(time.RFC3339), "customers " + subT0.Format(time.RFC3339)}, r.backs,
		"from the last healthy reconcile: no webhook was received")
	require.NoError(t, r.reconcile(t))
	require.Len(t, r.backs, 2, "done once it succeeded")
}

func TestNewSubscriberPublicURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "hooks.example.com", "ftp://hooks.example.com", "https://hooks.example.com/?x=1", "https://"} {
		_, err := webhook.NewSubscriber(webhook.SubscriberConfig{PublicURL: u})
		require.ErrorContains(t, err, "PublicURL", u)
	}
	_, err := webhook.NewSubscriber(webhook.SubscriberConfig{PublicURL: "https://hooks.example.com/base/"})
	require.NoError(t, err)
}

// TestSubscriberRunAfterRemove checks that Run forgets a removed instance
// and does not bring its webhooks back.
func TestSubscriberRunAfterRemove(t *testing.T) {
	t.Parallel()
	r := newSubRig(t, func(c *webhook.SubscriberConfig) { c.Interval = time.Minute })
	require.NoError(t, r.reconcile(t))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.sub.Run(ctx) }()
	require.NoError(t, r.clock.BlockUntilContext(ctx, 1))
	require.NoError(t, r.sub.Remove(t.Context(), r.inst))
	require.Empty(t, r.ours())
	from := r.store.Log().Len()
	r.clock.Advance(time.Minute)
	require.Never(t, func() bool { return r.store.Log().Len() > from }, 300*time.Millisecond, 10*time.Millisecond,
		"no request for a removed instance")
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	require.Empty(t, r.ours())
}
