package poller_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/internal/printcheck"
	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/poller"
)

// TestSecretsNeverPrint prints sources and a poller that hold vendor
// credentials and a signing key every way a host might, and finds none of
// them, nor their base64 (a Basic Authorization header's).
func TestSecretsNeverPrint(t *testing.T) {
	t.Parallel()
	basic, err := element.Parse([]byte(`{"id": "42", "element": {"key": "woocommercerest"}, "configuration": {
		"store.url": "https://admin:TOPSECRET-store@shop.example", "oauth.api.key": "ck_TOPSECRET-user",
		"oauth.api.secret": "cs_TOPSECRET-password", "event.vendor.type": "polling", "event.objects": "customers",
		"event.notification.callback.url": "https://app.example.com/cb?pass=TOPSECRET-cb",
		"event.notification.signature.key": "TOPSECRET-signing-key"}}`))
	require.NoError(t, err)
	oauth1, err := element.Parse([]byte(`{"id": "45", "element": {"key": "woocommercerest"}, "configuration": {
		"store.url": "http://shop.example", "oauth.api.key": "ck_TOPSECRET-user",
		"oauth.api.secret": "cs_TOPSECRET-password", "event.vendor.type": "polling", "event.objects": "customers"}}`))
	require.NoError(t, err)
	bearer, err := element.Parse([]byte(`{"id": "43", "element": {"key": "concur"}, "configuration": {
		"concur.base.url": "https://us.api.concursolutions.com", "oauth.api.key": "concur-client", "oauth.api.secret": "TOPSECRET-client-secret",
		"oauth.refresh.token": "TOPSECRET-refresh",
		"event.vendor.type": "polling"}}`))
	require.NoError(t, err)
	sources := map[string]poller.HTTPConfig{
		"basic":  {Instance: basic},
		"oauth1": {Instance: oauth1},
		"oauth2": {Instance: bearer},
		"query": {Instance: &element.Instance{ID: "44", Element: element.Element{Key: "q"}}, Definition: &element.Definition{
			Key: "q", Hub: "general", BaseURL: "https://api.example.com?api_key={api.key}",
			Auth: element.Auth{Style: vocab.AuthQuery, TokenKey: "api.key", Param: "api_key"}}},
	}
	sources["query"].Instance.Configuration.Set("api.key", "TOPSECRET-query")
	values := map[string]any{}
	for name, cfg := range sources {
		src, err := poller.NewHTTPSource(cfg)
		require.NoError(t, err, name)
		values[name+" source"] = src
	}
	p, err := poller.New(poller.Config{Instance: basic, Sink: events.SinkFunc(nil), Source: values["basic source"].(poller.Source)})
	require.NoError(t, err)
	values["poller"] = p

	secrets := []string{"TOPSECRET-store", "ck_TOPSECRET-user", "cs_TOPSECRET-password", "TOPSECRET-cb",
		"TOPSECRET-signing-key", "TOPSECRET-bearer", "TOPSECRET-query",
		"ck_TOPSECRET-user:cs_TOPSECRET-password"}
	for name, v := range values {
		printcheck.NoSecret(t, name, printcheck.Forms(v), secrets...)
	}
	require.Equal(t, `&poller.HTTPSource{Instance: "42", Element: "woocommercerest", BaseURL: "https://shop.example/wp-json/wc/v3", Auth: "basic"}`,
		fmt.Sprint(values["basic source"]))
	require.Equal(t, `&poller.HTTPSource{Instance: "45", Element: "woocommercerest", BaseURL: "http://shop.example/wp-json/wc/v3", Auth: "oauth1"}`,
		fmt.Sprint(values["oauth1 source"]))
	require.Equal(t, `&poller.Poller{Instance: "42", Element: "woocommercerest", Resources: "customers", Endpoint: {https://app.example.com/cb?pass=REDACTED [REDACTED]}}`,
		fmt.Sprint(p))
}
