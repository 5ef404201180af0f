// Package vendortest runs fake vendors for tests and examples: a
// WooCommerce store ([WooCommerce]: REST API v3 customers and orders, and
// the signed webhooks it sends) and an SAP Concur Expense v3 reports API
// ([Concur]) with its OAuth 2 token endpoint, which issues one-hour access
// tokens and rotates the refresh token on every refresh. Each is an [http.Handler] on an injected clock, logs every
// request and misbehaves on demand; what they share is their embedded
// [Fake].
//
// The shortest use, in a test of a poller:
//
//	store := vendortest.ServeWooCommerce(t, vendortest.WooConfig{Key: "ck", Secret: "cs", Clock: clock})
//	store.PutCustomer(vendortest.Customer{ID: 1, Email: "ann@example.com", Created: t0, Modified: t0})
//	// the instance's configuration: "store.url": store.URL(),
//	// "oauth.api.key": "ck", "oauth.api.secret": "cs"
//
// A store served on http:// (as ServeWooCommerce serves it) takes only
// OAuth 1.0a signed requests, checked as WooCommerce checks them; one on
// https:// takes Basic auth or the key and secret in the query. A
// woocommercerest poller picks the same way, by the scheme of store.url.
//
// # Records
//
// Put sets a record as given and sends nothing: it fills the store before
// a test, or changes a record without dating the change. Create, Update
// and [WooCommerce.Delete] change it now, on the store's clock, as the
// shop's admin does, and send the webhooks of the change. Record returns
// a record's JSON byte for byte as a page holds it, to compare with what a
// poller read.
//
// # Webhooks
//
// [WooCommerce.AddWebhook] saves a webhook for a topic, pinging its
// delivery URL first as WooCommerce does; each change is then delivered,
// signed with the webhook's secret, before the change's call returns.
// [NewWooWebhookRequest] and [NewWooPingRequest] build single deliveries
// for a test of a handler, [WooWebhookHeader] and [WooSignature] their
// headers.
//
// The store also serves its REST webhooks resource, /webhooks, as a
// client that subscribes by itself (webhook.Subscriber) uses it: list,
// create, update and delete with force=true. Only active webhooks are
// delivered to; five failed deliveries in a row disable one, and
// [WooCommerce.SetWebhookStatus] and [WooCommerce.DeleteWebhook] do what
// the store or its admin would; [WooCommerce.Webhooks] shows them.
//
// # Faults
//
// [Fake.Inject] adds [Fault]s: a status with Retry-After, a hang, a delay,
// an empty, truncated or cut page, a page missing its totals, a record
// served again at the top of the next page. Each answers the requests it
// matches until it is used up; [Fake.TakeFaults] drops those left.
// [WooConfig.OnRequest] runs before a page is served, to change the store
// while a client pages.
//
// # Request log
//
// [Fake.Log] returns the [RequestLog]: every request, when it came on the
// fake's clock, what page it asked for, the status, the records and the
// next page served, and the fault that answered it. A test's own handler
// can keep one too, with [RequestLog.Record].
package vendortest
