// Package webhook holds both HTTP ends of the library.
//
// [Receiver] is for the service that receives the Notifier's
// notifications: it verifies either signature scheme against one or more
// keys, checks the Standard Webhooks timestamp tolerance, drops duplicates,
// decodes the events.Notification and hands it on, as an http.Handler or
// as middleware that restores the body for the next handler:
//
//	rcv, err := webhook.NewReceiver(webhook.ReceiverConfig{
//		Keys: [][]byte{key},
//		Handle: func(ctx context.Context, n events.Notification) error {
//			return process(n) // an error answers 500, so the sender retries
//		},
//	})
//	mux.Handle("POST /element-events", rcv)
//
// Package webhooktest builds signed notification and WooCommerce requests
// and records published batches, for the host's own tests.
package webhook
