package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/vendortest"
	"github.com/a12b7632/elementevents/webhook"
)

// ExampleSubscriber subscribes a webhook instance at a (fake) WooCommerce
// store, which then delivers a signed webhook for a new customer to the
// Handler at the public URL.
func ExampleSubscriber() {
	ctx := context.Background()
	store, _ := vendortest.NewWooCommerce(vendortest.WooConfig{Key: "ck_demo", Secret: "cs_demo"})
	storeSrv := httptest.NewServer(store)
	defer storeSrv.Close()
	store.SetURL(storeSrv.URL)

	// The public server answers the store's creation pings until the
	// Handler, which needs the instance Reconcile returns, is ready.
	var handler atomic.Pointer[webhook.Handler]
	public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := handler.Load(); h != nil {
			h.ServeHTTP(w, r)
		}
	}))
	defer public.Close()

	storeAddr := netip.MustParseAddrPort(strings.TrimPrefix(storeSrv.URL, "http://"))
	sub, err := webhook.NewSubscriber(webhook.SubscriberConfig{
		PublicURL: public.URL,
		Guard:     netguard.Guard{AllowAddrPorts: []netip.AddrPort{storeAddr}}, // the store is on loopback here
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	inst, _ := element.Parse([]byte(`{"element": {"key": "woocommercerest"}, "configuration": {
		"store.url": "` + storeSrv.URL + `", "oauth.api.key": "ck_demo", "oauth.api.secret": "cs_demo",
		"event.notification.enabled": true, "event.vendor.type": "webhooks", "event.objects": "customers",
		"event.notification.callback.url": "https://app.example/callback"}}`))
	inst.ID = "42"
	inst, err = sub.Reconcile(ctx, inst) // the host persists inst: it holds the webhook secret
	if err != nil {
		fmt.Println(err)
		return
	}
	h, _ := webhook.New(webhook.Config{
		Instances:  []*element.Instance{inst},
		Subscriber: sub,
		Sink: events.SinkFunc(func(_ context.Context, b events.Batch) error {
			for _, e := range b.Events {
				fmt.Println("event:", e.Type, e.ObjectType, e.ObjectID)
			}
			return nil
		}),
	})
	handler.Store(h)
	for _, w := range store.Webhooks() {
		u, _ := url.Parse(w.DeliveryURL)
		fmt.Println(w.Name, w.Status, u.Path)
	}
	if _, err := store.CreateCustomer(ctx, vendortest.Customer{FirstName: "Ada", Email: "ada@example.com"}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// elementevents 42 customer.created active /events/woocommercerest/42
	// elementevents 42 customer.deleted active /events/woocommercerest/42
	// elementevents 42 customer.updated active /events/woocommercerest/42
	// event: CREATED customers 1
}
