package element_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/vocab"
)

// warningPaths returns the path of each warning, in order; nil for none.
func warningPaths(ws []element.Warning) []string {
	var paths []string
	for _, w := range ws {
		paths = append(paths, w.Path)
	}
	return paths
}

// documentedWebhookBody is the WooCommerce documentation's webhook instance
// as the issue describes it: a vendor type and a callback, but no
// event.notification.enabled. (The copy in testdata sets it.)
const documentedWebhookBody = `{
  "element":{
    "key":"woocommercerest"
  },
  "configuration":{
    "store.url": "<WEB_STORE_URL>",
    "oauth.api.key": "<CONSUMER_KEY>",
    "oauth.api.secret": "<CONSUMER_SECRET>",
    "event.vendor.type": "webhooks",
    "event.notification.callback.url": "http://mycoolapp.com",
    "event.notification.signature.key": "<OPTIONAL_SIGNATURE_KEY>"
  },
  "tags":[
    "Docs"
  ],
  "name":"API_WEBHOOK"
}`

func TestParseDocumentedWebhookBodyWithoutEnabled(t *testing.T) {
	t.Parallel()
	inst, err := element.Parse([]byte(documentedWebhookBody))
	require.NoError(t, err, "a warning never makes Parse fail")
	require.False(t, inst.Configuration.Events.Enabled)
	require.Equal(t, append([]string{vocab.KeyEventsEnabled}, placeholderWarnings...), warningPaths(inst.Warnings))
	require.Equal(t, element.Warning{
		Path: vocab.KeyEventsEnabled,
		Message: "events are off: event.notification.enabled is not set (event.vendor.type, " +
			"event.notification.callback.url and event.notification.signature.key are)",
	}, inst.Warnings[0])
}

// TestWarnings checks each warning: what sets it off, and what does not.
func TestWarnings(t *testing.T) {
	t.Parallel()
	body := func(cfg string) []byte {
		return []byte(`{"element": {"key": "woocommercerest"}, "configuration": {` + cfg + `}}`)
	}
	const on = `"event.notification.enabled": true, "event.notification.callback.url": "https://a.example/cb", `
	const resource = `"event.poller.configuration": {"c": {"url": "/c", "idField": "id"}}`
	tests := []struct {
		name string
		cfg  string
		want []element.Warning
	}{
		{name: "nothing configured", cfg: `"store.url": "https://shop.example"`},
		{name: "events on", cfg: on + `"event.vendor.type": "webhook"`},
		{name: "events off on purpose", cfg: `"event.notification.enabled": false, "event.vendor.type": "webhook", "event.notification.callback.url": "https://a.example/cb"`},
		{
			name: "events configured, enabled not set",
			cfg:  `"event.vendor.type": "webhook", "event.notification.callback.url": "https://a.example/cb"`,
			want: []element.Warning{{Path: vocab.KeyEventsEnabled,
				Message: "events are off: event.notification.enabled is not set (event.vendor.type and event.notification.callback.url are)"}},
		},
		{
			name: "enabled blank, resources only",
			cfg:  `"event.notification.enabled": "", ` + resource,
			want: []element.Warning{{Path: vocab.KeyEventsEnabled,
				Message: "events are off: event.notification.enabled is not set (event.poller.configuration is)"}},
		},
		{
			name: "enabled null",
			cfg:  `"event.notification.enabled": null, "event.poller.refresh_interval": "5"`,
			want: []element.Warning{{Path: vocab.KeyEventsEnabled,
				Message: "events are off: event.notification.enabled is not set (event.poller.refresh_interval is)"}},
		},
		{
			name: "documentation placeholders",
			cfg:  `"store.url": "<WEB_STORE_URL>", "oauth.api.secret": " <CONSUMER_SECRET> ", "note": "<b>bold</b>", "x": "<>"`,
			want: []element.Warning{
				{Path: "oauth.api.secret", Message: "still holds a placeholder from the documentation; put the real value in"},
				{Path: "store.url", Message: "still holds a placeholder from the documentation; put the real value in"},
			},
		},
		{
			name: "poller settings on a webhook instance",
			cfg:  on + `"event.vendor.type": "webhook", "event.objects": "customers", ` + resource,
			want: []element.Warning{
				{Path: vocab.KeyObjects, Message: "ignored: event.vendor.type is webhook, and only polling instances poll"},
				{Path: vocab.KeyPollerConfiguration, Message: "ignored: event.vendor.type is webhook, and only polling instances poll"},
			},
		},
		{
			name: "legacy urls and objects beside a configuration",
			cfg:  on + `"event.vendor.type": "polling", "event.objects": "customers", "event.poller.urls": "a|/a|id", ` + resource,
			want: []element.Warning{
				{Path: vocab.KeyObjects, Message: "ignored: event.poller.configuration names the resources to poll"},
				{Path: vocab.KeyPollerURLs, Message: "ignored: event.poller.configuration names the resources to poll"},
			},
		},
		{name: "objects pick the definition's resources", cfg: on + `"event.vendor.type": "polling", "event.objects": "customers"`},
		{name: "legacy urls alone", cfg: on + `"event.poller.urls": "a|/a|id"`},
		{
			name: "misspelt event keys",
			cfg: on + `"event.vendor.type": "webhook", "Event.Notification.Enabled": true, "event.poller.refreshInterval": 5,
				"event.notification.callback_ur": "x", "event.notification.instance.finder": "kept", "events.x": 1`,
			want: []element.Warning{
				{Path: "Event.Notification.Enabled", Message: "not read: did you mean event.notification.enabled?"},
				{Path: "event.notification.callback_ur", Message: "not read: did you mean event.notification.callback.url?"},
				{Path: "event.poller.refreshInterval", Message: "not read: did you mean event.poller.refresh_interval?"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inst, err := element.Parse(body(tt.cfg))
			require.NoError(t, err)
			require.Equal(t, tt.want, inst.Warnings)
		})
	}
}

// TestWarningsNotWritten checks that warnings are not part of the body: a
// round trip through json.Marshal gives the same warnings, not a
// "Warnings" key.
func TestWarningsNotWritten(t *testing.T) {
	t.Parallel()
	inst, err := element.Parse([]byte(documentedWebhookBody))
	require.NoError(t, err)
	data, err := inst.MarshalJSON()
	require.NoError(t, err)
	require.NotContains(t, string(data), "Warning")
	again, err := element.Parse(data)
	require.NoError(t, err)
	require.Equal(t, inst.Warnings, again.Warnings)
	require.True(t, strings.HasPrefix(inst.Warnings[0].String(), "event.notification.enabled: events are off: "), inst.Warnings[0].String())
}
