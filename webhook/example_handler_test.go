package webhook_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/vendortest"
	"github.com/a12b7632/elementevents/webhook"
)

// ExampleHandler mounts a Handler for a WooCommerce instance on a
// ServeMux and delivers one signed webhook to it, twice: the second copy
// is a redelivery and yields no event.
func ExampleHandler() {
	inst, err := element.Parse([]byte(`{
		"id": "42",
		"name": "my shop",
		"element": {"key": "woocommercerest"},
		"configuration": {
			"store.url": "https://shop.example",
			"event.notification.enabled": true,
			"event.vendor.type": "webhook",
			"event.notification.callback.url": "https://app.example/callback",
			"webhook.secret": "wc-secret"
		}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	h, err := webhook.New(webhook.Config{
		Instances: []*element.Instance{inst},
		// Usually a *notify.Notifier; here, print what arrives.
		Sink: events.SinkFunc(func(_ context.Context, b events.Batch) error {
			for _, e := range b.Events {
				fmt.Println(b.Instance.ID, e.Type, e.ObjectType, e.ObjectID, e.Date.Format(time.RFC3339))
			}
			return nil
		}),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("POST /events/{elementKey}/{instanceID}", h)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// What WooCommerce sends when customer 25 changes (vendortest's
	// headers), twice with the same X-WC-Webhook-Delivery-ID.
	body := []byte(`{"id":25,"email":"john@example.com","date_modified_gmt":"2026-11-24T11:59:30"}`)
	header := vendortest.WooWebhookHeader("customer.updated", "wc-secret", body)
	for range 2 {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/events/woocommercerest/42", bytes.NewReader(body))
		if err != nil {
			fmt.Println(err)
			return
		}
		req.Header = header.Clone()
		resp, err := srv.Client().Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println(resp.Status)
	}
	// Output:
	// 42 UPDATED customers 25 2026-11-24T11:59:30Z
	// 200 OK
	// 200 OK
}
