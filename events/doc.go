// Package events will hold the event model and its delivery: the Event and
// Notification types that every other package produces, the Sink interface
// the poller and the webhook handler write to, and the Notifier that signs
// each notification and delivers it to the instance's callback URL with
// retries, an outbox and dead letters.
//
// It is not built yet: this file only reserves the package and states its
// purpose (see DESIGN.md and the signature-and-events issue).
package events
