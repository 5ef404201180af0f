package events

import (
	"fmt"
	"log/slog"

	"github.com/a12b7632/elementevents/internal/redact"
)

// Values that hold a signing key or a callback URL print without their
// secrets, in every fmt verb and in log/slog's text and JSON handlers:
// keys as [REDACTED] (they are signature.Key), URLs as
// netguard.RedactURL writes them. Each type prints a view of itself, a
// copy with the secrets replaced, so that the fmt verbs and flags keep
// their usual meaning.

// endpointView is an Endpoint with its URL redacted; its Key redacts
// itself.
type endpointView Endpoint

func (e Endpoint) view() endpointView {
	v := endpointView(e)
	v.URL = redact.String(e.URL)
	return v
}

// Format prints e with its URL redacted and its key as [REDACTED].
func (e Endpoint) Format(f fmt.State, verb rune) { redact.Format(f, verb, e.view(), e.GoString) }

// GoString is used by %#v; it redacts like Format.
func (e Endpoint) GoString() string {
	return redact.GoString(e.view(), "events.endpointView", "events.Endpoint")
}

// LogValue redacts e in log/slog output.
func (e Endpoint) LogValue() slog.Value {
	return slog.GroupValue(slog.String("url", redact.String(e.URL)), slog.Any("key", e.Key))
}

// batchView is a Batch that fmt prints field by field: its Endpoint
// redacts itself.
type batchView Batch

// Format prints b with its endpoint redacted. (A Batch's fields would
// print themselves redacted, but not when fmt reports a bad verb for a
// *Batch, as %s and %q inside a slice do.)
func (b Batch) Format(f fmt.State, verb rune) { redact.Format(f, verb, batchView(b), b.GoString) }

// GoString is used by %#v; it redacts like Format.
func (b Batch) GoString() string {
	return redact.GoString(batchView(b), "events.batchView", "events.Batch")
}

// LogValue redacts b's endpoint in log/slog output, and gives the number
// of events, not the events.
func (b Batch) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("instance", b.Instance.ID),
		slog.String("element", b.Instance.ElementKey),
		slog.Any("endpoint", b.Endpoint),
		slog.String("source", string(b.Source)),
		slog.Int("events", len(b.Events)),
	)
}
