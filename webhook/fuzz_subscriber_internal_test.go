package webhook

import (
	"testing"

	"github.com/a12b7632/elementevents/element"
)

// FuzzVendorAnswer feeds the reader of a vendor's page of webhooks
// whatever a vendor may send: it never panics. (Error bodies are read by
// internal/vendorerr, fuzzed there.)
func FuzzVendorAnswer(f *testing.F) {
	for _, seed := range []string{
		`[{"id":1,"name":"elementevents 42 customer.created","topic":"customer.created","delivery_url":"https:\/\/x.example\/","status":"active"}]`,
		`{"code":"woocommerce_rest_authentication_error","message":"Consumer secret is invalid.","data":{"status":401}}`,
		`[{"id":"7","name":null},null]`, `[1]`, `{"code":401,"message":["x"]}`, `<html>`, ``,
	} {
		f.Add([]byte(seed))
	}
	def, ok := element.Default().Lookup("woocommercerest")
	if !ok {
		f.Fatal("no woocommercerest")
	}
	c := &vendorClient{sub: def.Webhook.Subscription}
	f.Fuzz(func(t *testing.T, body []byte) {
		if hooks, err := c.decodeList(body); err == nil {
			for _, h := range hooks {
				_ = h.name + h.id + h.topic + h.status + h.deliveryURL
			}
		}
	})
}
