// Package events is the event model, and only the model: what changed
// ([Event], its [Type] and its deterministic id, [NewID]), how changes
// travel in process (a [Batch] published to a [Sink]), and what a callback
// URL receives (the [Notification] wire format). Delivery is package
// notify's; the consumer's side is package receiver's.
//
// The poller and the webhook handler turn vendor changes into Events and
// publish them, a Batch at a time, to a Sink: a notify.Notifier, which
// delivers them, or [SinkFunc] and [ChanSink] for hosts that want events
// in process.
//
// The shortest use:
//
//	sink := events.SinkFunc(func(ctx context.Context, b events.Batch) error {
//		for _, e := range b.Events {
//			fmt.Println(e.Type, e.ObjectType, e.ObjectID) // UPDATED customers 42
//		}
//		return nil
//	})
//	p, err := poller.New(poller.Config{Instance: inst, Sink: sink})
//
// # Wire format
//
// [Notifications] splits a Batch into [Notification] values, the JSON body
// POSTed to a callback URL, compatible with Cloud Elements consumers: at
// most 10 events each from polling and 20 from webhooks unless told
// otherwise, and one object type each, so that per-object order can be
// kept on delivery. Ids are deterministic: an event, or a notification,
// published twice has one id, which receivers dedupe.
//
// # Secrets
//
// An [Endpoint], and the Batch that carries it, hold a callback URL and a
// signing key. They print and log the key as [REDACTED] (a signature.Key)
// and the URL without its credentials (as netguard.RedactURL writes it),
// in every fmt verb and in log/slog.
package events
