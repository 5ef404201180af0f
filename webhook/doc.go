// Package webhook will hold both HTTP ends of the library: Handler, an
// http.Handler that receives vendor webhooks, verifies them and turns them
// into events, and Receiver, the consumer-side handler that verifies and
// decodes the notifications the Notifier sends.
//
// It is not built yet: this file only reserves the package and states its
// purpose (see DESIGN.md and the webhook issue).
package webhook
