// Package elementevents is the event engine of an API-integration platform,
// as a Go library: it turns a SaaS instance (a WooCommerce store, a Concur
// account, any REST API) into a stream of signed change notifications,
// whether the vendor pushes webhooks or has to be polled.
//
// The host service composes the packages itself:
//
//   - [github.com/a12b7632/elementevents/element] parses and validates the
//     JSON body of an /instances call and holds the element catalogue;
//   - poller fetches polled resources and diffs them into events;
//   - webhook receives vendor webhooks (Handler) and, at the consumer,
//     verifies notifications (Receiver);
//   - events holds the event model and the Notifier that delivers signed
//     notifications with retries;
//   - signature signs and verifies notification bodies.
//
// All five are built; the quickstart and standalone programs come next.
package elementevents
