// Package receiver is the consumer's side of the notifications: for the
// service at an instance's callback URL, it verifies each request's
// signature against one or more keys, checks the Standard Webhooks
// timestamp tolerance, drops duplicates by the signed id, decodes the
// events.Notification and hands it on, as an http.Handler or as
// middleware that restores the body for the next handler:
//
//	rcv, err := receiver.New(receiver.Config{
//		Keys: [][]byte{key},
//		Handle: func(ctx context.Context, n events.Notification) error {
//			return process(n) // an error answers 500, so the sender retries
//		},
//	})
//	mux.Handle("POST /element-events", rcv)
//
// It imports only events and signature of this module, so a consumer
// does not pull in the element catalogue or its dependencies. Package
// receivertest builds signed requests for the consumer's own tests.
package receiver
