package notify

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/a12b7632/elementevents/internal/redact"
)

// Values that hold a signing key or a callback URL print without their
// secrets, in every fmt verb and in log/slog's text and JSON handlers:
// keys as [REDACTED] (they are signature.Key), URLs as
// [netguard.RedactURL] writes them. A Delivery prints a view of itself, a
// copy with the secrets replaced, so that the fmt verbs and flags keep
// their usual meaning; a Sender and the memory outbox print no more than
// their type and size.

// deliveryView is a Delivery with its endpoint redacted; its Key redacts
// itself.
type deliveryView Delivery

func (d Delivery) view() deliveryView {
	v := deliveryView(d)
	v.Endpoint = redact.String(d.Endpoint)
	return v
}

// Format prints d with its endpoint redacted and its key as [REDACTED].
func (d Delivery) Format(f fmt.State, verb rune) { redact.Format(f, verb, d.view(), d.GoString) }

// GoString is used by %#v; it redacts like Format.
func (d Delivery) GoString() string {
	return redact.GoString(d.view(), "notify.deliveryView", "notify.Delivery")
}

// LogValue redacts d in log/slog output, and gives the body's size, not
// the body.
func (d Delivery) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("id", d.ID),
		slog.String("endpoint", redact.String(d.Endpoint)),
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

// Format prints s as its type and no more: its cache of signers is keyed
// by the signing keys.
func (s *Sender) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.GoString()) }

// GoString is used by %#v; it prints what Format prints.
func (s *Sender) GoString() string { return "&notify.Sender{}" }

// LogValue is the Sender's type in log/slog output.
func (s *Sender) LogValue() slog.Value { return slog.StringValue(s.GoString()) }

// Format prints o's size: its records hold signing keys and callback URLs.
func (o *memoryOutbox) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, o.GoString()) }

// GoString is used by %#v; it prints what Format prints.
func (o *memoryOutbox) GoString() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return fmt.Sprintf("&notify.memoryOutbox{deliveries: %d, endpoints: %d}", o.live, len(o.endpoints))
}

// LogValue is o's size in log/slog output.
func (o *memoryOutbox) LogValue() slog.Value { return slog.StringValue(o.GoString()) }
