package events

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/a12b7632/elementevents/internal/redact"
)

// Values that hold a signing key or a callback URL print without their
// secrets, in every fmt verb and in log/slog's text and JSON handlers:
// keys as [REDACTED] (they are signature.Key), URLs as RedactURL writes
// them. Each type prints a view of itself, a copy with the secrets
// replaced, so that the fmt verbs and flags keep their usual meaning.

// RedactURL returns raw without its user info and fragment, and with the
// values of query parameters whose names look secret (pass, pwd, secret,
// token, key, sig, auth, credential, session, ..., in any case) replaced
// by REDACTED, for logs and errors. An unparseable URL becomes
// "(unparseable URL)".
func RedactURL(raw string) string { return redact.String(raw) }

// endpointView is an Endpoint with its URL redacted; its Key redacts
// itself.
type endpointView Endpoint

func (e Endpoint) view() endpointView {
	v := endpointView(e)
	v.URL = RedactURL(e.URL)
	return v
}

// Format prints e with its URL redacted and its key as [REDACTED].
func (e Endpoint) Format(f fmt.State, verb rune) { formatView(f, verb, e.view(), e.GoString) }

// GoString is used by %#v; it redacts like Format.
func (e Endpoint) GoString() string {
	return goString(e.view(), "events.endpointView", "events.Endpoint")
}

// LogValue redacts e in log/slog output.
func (e Endpoint) LogValue() slog.Value {
	return slog.GroupValue(slog.String("url", RedactURL(e.URL)), slog.Any("key", e.Key))
}

// deliveryView is a Delivery with its endpoint redacted; its Key redacts
// itself.
type deliveryView Delivery

func (d Delivery) view() deliveryView {
	v := deliveryView(d)
	v.Endpoint = RedactURL(d.Endpoint)
	return v
}

// Format prints d with its endpoint redacted and its key as [REDACTED].
func (d Delivery) Format(f fmt.State, verb rune) { formatView(f, verb, d.view(), d.GoString) }

// GoString is used by %#v; it redacts like Format.
func (d Delivery) GoString() string {
	return goString(d.view(), "events.deliveryView", "events.Delivery")
}

// LogValue redacts d in log/slog output, and gives the body's size, not
// the body.
func (d Delivery) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("id", d.ID),
		slog.String("endpoint", RedactURL(d.Endpoint)),
		slog.Any("key", d.Key),
		slog.Int("body_bytes", len(d.Body)),
		slog.Int("events", d.Events),
		slog.String("state", string(d.State)),
		slog.Int("attempts", len(d.Attempts)),
	}
	if !d.NextAttempt.IsZero() {
		attrs = append(attrs, slog.Time("next_attempt", d.NextAttempt))
	}
	if d.DeadReason != "" {
		attrs = append(attrs, slog.String("dead_reason", d.DeadReason))
	}
	return slog.GroupValue(attrs...)
}

// batchView is a Batch that fmt prints field by field: its Endpoint
// redacts itself.
type batchView Batch

// Format prints b with its endpoint redacted. (A Batch's fields would
// print themselves redacted, but not when fmt reports a bad verb for a
// *Batch, as %s and %q inside a slice do.)
func (b Batch) Format(f fmt.State, verb rune) { formatView(f, verb, batchView(b), b.GoString) }

// GoString is used by %#v; it redacts like Format.
func (b Batch) GoString() string { return goString(batchView(b), "events.batchView", "events.Batch") }

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

// Format prints s as its type and no more: its cache of signers is keyed
// by the signing keys.
func (s *Sender) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.GoString()) }

// GoString is used by %#v; it prints what Format prints.
func (s *Sender) GoString() string { return "&events.Sender{}" }

// LogValue is the Sender's type in log/slog output.
func (s *Sender) LogValue() slog.Value { return slog.StringValue(s.GoString()) }

// Format prints o's size: its records hold signing keys and callback URLs.
func (o *MemoryOutbox) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, o.GoString()) }

// GoString is used by %#v; it prints what Format prints.
func (o *MemoryOutbox) GoString() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return fmt.Sprintf("&events.MemoryOutbox{deliveries: %d, endpoints: %d}", o.live, len(o.endpoints))
}

// LogValue is o's size in log/slog output.
func (o *MemoryOutbox) LogValue() slog.Value { return slog.StringValue(o.GoString()) }

// formatView prints view, a copy of a value with its secrets replaced,
// with the verb and flags of f; goSyntax returns the value's %#v.
func formatView(f fmt.State, verb rune, view any, goSyntax func() string) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, goSyntax())
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), view)
}

// goString is view's %#v under its value's type name.
func goString(view any, viewName, name string) string {
	return strings.Replace(fmt.Sprintf("%#v", view), viewName, name, 1)
}
