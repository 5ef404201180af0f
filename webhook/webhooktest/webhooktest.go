// Package webhooktest builds what the tests of a vendor-facing service
// need: WooCommerce webhook deliveries and creation pings, signed as the
// store signs them, for testing a [webhook.Handler], and a [Recorder]
// sink that keeps the batches published to it. Requests for a consumer of
// notifications come from package receivertest.
//
// The shortest use, in a test of a Handler:
//
//	req := webhooktest.NewWooCommerceRequest(t, "/events/woocommercerest/42", secret, "customer.updated", body)
//	w := httptest.NewRecorder()
//	handler.ServeHTTP(w, req)
//
// [webhook.Handler]: https://pkg.go.dev/github.com/a12b7632/elementevents/webhook#Handler
package webhooktest
