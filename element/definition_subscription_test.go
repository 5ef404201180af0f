package element_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
)

// subscribable is a definition whose webhooks can be subscribed, with
// the subscription section given by the caller.
func subscribable(subscription string) string {
	return withFields(`"pagination": {"style": "page", "sizeParam": "per_page"},
		"webhook": {"signatureScheme": "hmac-sha256", "signatureHeader": "X-Sig", "secretKey": "webhook.secret",
			"topicHeader": "X-Topic",
			"topics": {"objects": {"customer": "customers"}, "actions": {"created": "CREATED", "updated": "UPDATED", "odd": "UNKNOWN"}},
			"subscription": ` + subscription + `}`)
}

func TestSubscriptionValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		wantMsgs []string // each must appear in the error; none means valid
	}{
		{name: "valid", body: subscribable(`{"path": "/webhooks", "actions": ["created", "updated"], "deleteQuery": "force=true"}`)},
		{name: "no path", body: subscribable(`{"actions": ["created"]}`),
			wantMsgs: []string{"webhook.subscription.path: required"}},
		{name: "path without slash", body: subscribable(`{"path": "webhooks", "actions": ["created"]}`),
			wantMsgs: []string{"webhook.subscription.path: must start with /"}},
		{name: "no actions", body: subscribable(`{"path": "/webhooks"}`),
			wantMsgs: []string{"webhook.subscription.actions: required"}},
		{name: "unmapped action", body: subscribable(`{"path": "/webhooks", "actions": ["created", "odd", "gone"]}`),
			wantMsgs: []string{"webhook.subscription.actions[1]: must be an action", "webhook.subscription.actions[2]: must be an action"}},
		{name: "duplicate action", body: subscribable(`{"path": "/webhooks", "actions": ["created", "created"]}`),
			wantMsgs: []string{"webhook.subscription.actions[1]: duplicate action"}},
		{name: "dotted field", body: subscribable(`{"path": "/webhooks", "actions": ["created"], "idField": "data.id"}`),
			wantMsgs: []string{"webhook.subscription.idField: must be a top-level field name"}},
		{name: "update method", body: subscribable(`{"path": "/webhooks", "actions": ["created"], "updateMethod": "GET"}`),
			wantMsgs: []string{"webhook.subscription.updateMethod: must be one of PUT, PATCH, POST"}},
		{name: "delete query with ?", body: subscribable(`{"path": "/webhooks", "actions": ["created"], "deleteQuery": "?force=true"}`),
			wantMsgs: []string{"webhook.subscription.deleteQuery"}},
		{name: "unsigned webhooks", body: withFields(`"webhook": {"topicHeader": "X-Topic",
			"topics": {"actions": {"created": "CREATED"}}, "subscription": {"path": "/webhooks", "actions": ["created"]}}`),
			wantMsgs: []string{"webhook.signatureScheme: must be hmac-sha256"}},
		{name: "no topic header", body: withFields(`"webhook": {"signatureScheme": "hmac-sha256", "signatureHeader": "X-Sig", "secretKey": "s",
			"topics": {"actions": {"created": "CREATED"}}, "subscription": {"path": "/webhooks", "actions": ["created"]}}`),
			wantMsgs: []string{"webhook.topicHeader: required with a subscription section"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			def, err := element.ParseDefinition([]byte(tt.body))
			if len(tt.wantMsgs) == 0 {
				require.NoError(t, err)
				s := def.Webhook.Subscription
				require.True(t, s.Enabled())
				require.Equal(t, "delivery_url", s.DeliveryURLField, "defaults are filled")
				require.Equal(t, "PUT", s.UpdateMethod)
				require.Equal(t, "active", s.ActiveStatus)
				return
			}
			require.ErrorIs(t, err, element.ErrInvalid)
			for _, m := range tt.wantMsgs {
				require.ErrorContains(t, err, m)
			}
		})
	}
}

func TestWooCommerceSubscription(t *testing.T) {
	t.Parallel()
	def, ok := element.Default().Lookup("woocommercerest")
	require.True(t, ok)
	s := def.Webhook.Subscription
	require.Equal(t, "/webhooks", s.Path)
	require.Equal(t, []string{"created", "updated", "deleted"}, s.Actions)
	require.Equal(t, "force=true", s.DeleteQuery)
	require.Equal(t, 100, s.PageSize)

	// A copy from the catalogue is the caller's to change.
	s.Actions[0] = "changed"
	again, _ := element.Default().Lookup("woocommercerest")
	require.Equal(t, "created", again.Webhook.Subscription.Actions[0])

	concur, ok := element.Default().Lookup("concur")
	require.True(t, ok)
	require.False(t, concur.Webhook.Subscription.Enabled())
}
