package events_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/events/outboxtest"
)

func TestMemoryOutbox(t *testing.T) {
	outboxtest.Run(t, func(*testing.T) events.Outbox { return events.NewMemoryOutbox() })
}

func TestMemoryOutboxZeroValue(t *testing.T) {
	outboxtest.Run(t, func(*testing.T) events.Outbox { return new(events.MemoryOutbox) })
}

// TestMemoryOutboxErrorNamesTheDelivery checks that ErrNotFound comes
// wrapped with the id and state, for logs, and still matches errors.Is.
func TestMemoryOutboxErrorNamesTheDelivery(t *testing.T) {
	t.Parallel()
	o := events.NewMemoryOutbox()
	now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	require.NoError(t, o.Enqueue(t.Context(), now, outboxtest.Delivery("evt-1", "https://a.example.com/hook", "")))

	tests := []struct {
		name    string
		err     error
		wantErr error
		wantMsg string
	}{
		{"unknown", o.Ack(t.Context(), "evt-2", events.Attempt{}), events.ErrNotFound, `events: delivery not found: "evt-2"`},
		{"wrong state", o.Replay(t.Context(), "evt-1", now), events.ErrNotFound, `events: delivery not found: "evt-1" is pending, not dead`},
	}
	for _, tt := range tests {
		require.ErrorIs(t, tt.err, tt.wantErr, tt.name)
		require.EqualError(t, tt.err, tt.wantMsg, tt.name)
	}
}

// BenchmarkMemoryOutbox measures one delivery's way through the outbox:
// enqueue, claim among a thousand pending on its endpoint, ack.
func BenchmarkMemoryOutbox(b *testing.B) {
	const endpoint, backlog = "https://a.example.com/hook", 1000
	o := events.NewMemoryOutbox()
	now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	for i := range backlog {
		d := outboxtest.Delivery(fmt.Sprintf("backlog-%d", i), endpoint, fmt.Sprintf("k%d", i%50))
		d.NextAttempt = now.Add(time.Hour)
		require.NoError(b, o.Enqueue(b.Context(), now, d))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		id := fmt.Sprintf("d%d", i)
		if err := o.Enqueue(b.Context(), now, outboxtest.Delivery(id, endpoint, "")); err != nil {
			b.Fatal(err)
		}
		ds, err := o.Claim(b.Context(), endpoint, now, time.Minute, 1)
		if err != nil || len(ds) != 1 {
			b.Fatalf("claim: %v, %d deliveries", err, len(ds))
		}
		if err := o.Ack(b.Context(), ds[0].ID, events.Attempt{At: now, Status: 200}); err != nil {
			b.Fatal(err)
		}
	}
}
