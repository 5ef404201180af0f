package poller_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/poller"
)

// wooQueryDef is WooCommerce over https with its keys in the query, as
// WooCommerce accepts besides Basic.
const wooQueryDef = `{"key": "wooquery", "hub": "ecommerce", "baseUrl": "{store.url}/wp-json/wc/v3",
	"auth": {"style": "basic", "usernameKey": "oauth.api.key", "passwordKey": "oauth.api.secret", "placement": "query"},
	"pagination": {"style": "page", "sizeParam": "per_page", "totalPagesHeader": "X-WP-TotalPages"}}`

func TestHTTPSourceBasicInQuery(t *testing.T) {
	t.Parallel()
	var got *http.Request
	vendor := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`[{"id":1}]`)), Request: r}, nil
	})
	conf := map[string]string{"store.url": "https://shop.example", "oauth.api.key": "ck_1", "oauth.api.secret": "cs_TOPSECRET"}
	src := customSource(t, wooQueryDef, conf, poller.HTTPConfig{Transport: vendor})
	page, err := src.Fetch(t.Context(), poller.Request{Resource: "customers", Config: element.Resource{URL: "/customers?orderby=id", IDField: "id"}})
	require.NoError(t, err)
	require.Equal(t, "orderby=id&page=1&consumer_key=ck_1&consumer_secret=cs_TOPSECRET", got.URL.RawQuery)
	require.Empty(t, got.Header.Get("Authorization"), "no Basic besides")
	require.NotContains(t, page.URL, "cs_TOPSECRET")

	def, err := element.ParseDefinition([]byte(wooQueryDef))
	require.NoError(t, err)
	inst := &element.Instance{Element: element.Element{Key: def.Key}}
	for k, v := range conf {
		inst.Configuration.Set(k, v)
	}
	inst.Configuration.Set("store.url", "http://shop.example")
	_, err = poller.NewHTTPSource(poller.HTTPConfig{Instance: inst, Definition: def})
	require.ErrorIs(t, err, poller.ErrConfig)
	require.ErrorContains(t, err, "https")
}
