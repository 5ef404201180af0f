package events

import (
	"context"
	"encoding/json"

	"github.com/a12b7632/elementevents/signature"
)

// Origin says where a batch of events came from, polling or a webhook;
// it sets the default number of events per notification.
type Origin string

// The origins of a batch.
const (
	FromPolling Origin = "polling"
	FromWebhook Origin = "webhook"
)

// Instance identifies the element instance a batch belongs to; its fields
// are copied into every notification.
type Instance struct {
	ID         string
	Name       string
	ElementKey string
	Tags       []string
}

// Endpoint is where an instance's notifications go and how they are
// signed.
type Endpoint struct {
	// URL is the callback URL (event.notification.callback.url).
	URL string

	// Key signs every notification in both schemes when set (the bytes of
	// event.notification.signature.key). The outbox stores it with each
	// delivery so that a restarted process can still sign. It prints as
	// [REDACTED]; so does URL's user info and secret query parameters when
	// an Endpoint is printed or logged.
	Key signature.Key
}

// Batch is what the poller and the webhook handler publish: the events of
// one poll cycle of one resource, or of one vendor webhook; or, with
// Status set, an instance status and no events.
type Batch struct {
	Instance Instance
	Endpoint Endpoint
	Source   Origin
	Events   []Event

	// Status, when set, makes the batch one instance status notification
	// (see [Status]); Events and Raw are then ignored.
	Status *Status

	// Raw is the vendor's webhook body, sent as the notification's raw
	// field. When empty, raw is built from the events' Raw records, grouped
	// by object type.
	Raw json.RawMessage
}

// Sink receives batches of events. The poller and the webhook handler write
// to one; notify.Notifier is the Sink that delivers over HTTP, [SinkFunc]
// and [ChanSink] keep events in process.
//
// Publish returns nil only once the batch is accepted for good (for a
// notify.Notifier: stored in its outbox), so a caller can acknowledge its
// own source. It must be safe for concurrent use.
type Sink interface {
	Publish(ctx context.Context, b Batch) error
}

// SinkFunc adapts a function to a [Sink].
type SinkFunc func(ctx context.Context, b Batch) error

// Publish calls f.
func (f SinkFunc) Publish(ctx context.Context, b Batch) error { return f(ctx, b) }

// ChanSink returns a [Sink] that sends each batch on ch, waiting until the
// receiver takes it or ctx ends (then it returns ctx.Err()).
func ChanSink(ch chan<- Batch) Sink {
	return SinkFunc(func(ctx context.Context, b Batch) error {
		select {
		case ch <- b:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
}

var _ Sink = SinkFunc(nil)
