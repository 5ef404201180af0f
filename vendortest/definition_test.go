package vendortest_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/vendortest"
)

// The fakes state the vendors' wire names on their own, so that a slip in
// an element definition is not copied into the fake that tests it. This
// test is where the two meet: the built-in definitions read what the
// fakes send.
func TestDefinitionsReadTheFakes(t *testing.T) {
	t.Parallel()
	woo, ok := element.Default().Lookup("woocommercerest")
	require.True(t, ok)
	require.Equal(t, "{store.url}"+vendortest.WooAPIPath, woo.BaseURL)
	require.Equal(t, "X-WP-Total", woo.Pagination.TotalHeader)
	require.Equal(t, "X-WP-TotalPages", woo.Pagination.TotalPagesHeader)
	require.Equal(t, vendortest.WooHeaderSignature, woo.Webhook.SignatureHeader)
	require.Equal(t, vendortest.WooHeaderTopic, woo.Webhook.TopicHeader)
	require.Equal(t, vendortest.WooHeaderDeliveryID, woo.Webhook.DeliveryIDHeader)
	require.Equal(t, "webhook_id", woo.Webhook.PingField)

	concur, ok := element.Default().Lookup("concur")
	require.True(t, ok)
	base, ok := strings.CutPrefix(concur.BaseURL, "{concur.base.url}")
	require.True(t, ok)
	require.Equal(t, "/api/v3.0", base)
	require.Equal(t, vendortest.ConcurReportsPath, "/api/v3.0"+concur.VendorPath("/hubs/expense/reports"))
}
