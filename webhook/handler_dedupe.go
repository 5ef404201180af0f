package webhook

import (
	"context"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/internal/memdedupe"
)

// dedupeID is one of the handler's keys in its Deduper: the namespaced
// string, or for the memory deduper its hash, made without building the
// string.
type dedupeID struct {
	key string
	mem memdedupe.Key
	set bool
}

// dedupeID returns the key dedupeKey(kind, a, b) names.
func (h *Handler) dedupeID(kind, a, b string) dedupeID {
	if h.mem != nil {
		return dedupeID{mem: memdedupe.KeyOf(dedupePrefix, kind, "\x00", a, "\x00", b), set: true}
	}
	return dedupeID{key: dedupeKey(kind, a, b), set: true}
}

// seen asks the Deduper about k. A Deduper that fails is logged and taken
// as "not seen": a duplicate event is better than a lost one, and event ids
// let consumers drop it.
func (h *Handler) seen(ctx context.Context, k dedupeID) bool {
	if h.mem != nil {
		return h.mem.SeenKey(k.mem)
	}
	seen, err := h.dedupe.Seen(ctx, k.key)
	if err != nil {
		h.log.WarnContext(ctx, "webhook: deduper failed; handling the delivery", "error", err)
		return false
	}
	return seen
}

// unseen drops the events whose ids were already accepted, for vendors that
// send no delivery id.
func (h *Handler) unseen(ctx context.Context, evs []events.Event) []events.Event {
	out := evs[:0]
	for _, e := range evs {
		if !h.seen(ctx, h.dedupeID("event", e.ID, "")) {
			out = append(out, e)
		}
	}
	return out
}

// markAccepted remembers a delivery whose events the sink accepted: its
// delivery id when it had one, else each event id.
func (h *Handler) markAccepted(ctx context.Context, delivery dedupeID, evs []events.Event) {
	if h.dedupe == nil {
		return
	}
	mark := func(k dedupeID) {
		if h.mem != nil {
			h.mem.MarkKey(k.mem, h.ttl)
			return
		}
		if err := h.dedupe.Mark(ctx, k.key, h.ttl); err != nil {
			h.log.WarnContext(ctx, "webhook: deduper failed to remember a delivery", "error", err)
		}
	}
	if delivery.set {
		mark(delivery)
		return
	}
	for _, e := range evs {
		mark(h.dedupeID("event", e.ID, ""))
	}
}

// dedupePrefix starts the handler's keys.
const dedupePrefix = "webhook.Handler "

// dedupeKey namespaces the handler's keys, so that a Deduper shared with a
// Receiver, or between instances, cannot confuse them.
func dedupeKey(kind, a, b string) string {
	return dedupePrefix + kind + "\x00" + a + "\x00" + b
}
