package notify_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/notify/notifytest"
)

func TestMemoryOutbox(t *testing.T) {
	notifytest.Run(t, func(*testing.T) notify.Outbox { return notify.NewMemoryOutbox() })
}

// TestMemoryOutboxGoneMeansGone checks that an acknowledged delivery
// leaves the ID index: acknowledging it again fails, and its ID can be
// enqueued anew.
func TestMemoryOutboxGoneMeansGone(t *testing.T) {
	t.Run("gone means gone", func(t *testing.T) {
		ctx := t.Context()
		now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
		o := notify.NewMemoryOutbox()
		var ids []string
		for i := range 40 {
			ids = append(ids, "d"+strconv.Itoa(i))
			require.NoError(t, o.Enqueue(ctx, now, notifytest.NewDelivery(ids[i], "https://a.example.com/hook", "")))
		}
		for _, id := range ids {
			require.NoError(t, o.Ack(ctx, id, notify.Attempt{}))
			require.ErrorIs(t, o.Ack(ctx, id, notify.Attempt{}), notify.ErrNotFound, "%s acked twice", id)
		}
		for _, id := range ids {
			require.NoError(t, o.Enqueue(ctx, now, notifytest.NewDelivery(id, "https://a.example.com/hook", "")))
		}
		got, err := o.List(ctx, notify.Filter{})
		require.NoError(t, err)
		require.Len(t, got, len(ids), "an acked ID can be enqueued again")
	})
}

// TestMemoryOutboxErrorNamesTheDelivery checks that ErrNotFound comes
// wrapped with the id and state, for logs, and still matches errors.Is.
func TestMemoryOutboxErrorNamesTheDelivery(t *testing.T) {
	t.Parallel()
	o := notify.NewMemoryOutbox()
	now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	require.NoError(t, o.Enqueue(t.Context(), now, notifytest.NewDelivery("evt-1", "https://a.example.com/hook", "")))

	tests := []struct {
		name    string
		err     error
		wantErr error
		wantMsg string
	}{
		{"unknown", o.Ack(t.Context(), "evt-2", notify.Attempt{}), notify.ErrNotFound, `notify: delivery not found: "evt-2"`},
		{"wrong state", o.Replay(t.Context(), "evt-1", now), notify.ErrNotFound, `notify: delivery not found: "evt-1" is pending, not dead`},
	}
	for _, tt := range tests {
		require.ErrorIs(t, tt.err, tt.wantErr, tt.name)
		require.EqualError(t, tt.err, tt.wantMsg, tt.name)
	}
}

// TestMemoryOutboxShrinks drains a backlog far past the point where the
// outbox compacts its records, with dead and retried deliveries among
// them, and checks that every delivery left keeps its fields, its order
// and its history, and that the outbox works again once empty.
func TestMemoryOutboxShrinks(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	const n, endpoint = 5000, "https://a.example.com/hook"
	now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	o := notify.NewMemoryOutbox()
	orderKey := func(i int) string {
		if i%7 == 0 {
			return "" // some without order
		}
		return "k" + strconv.Itoa(i%10)
	}
	for i := range n {
		require.NoError(t, o.Enqueue(ctx, now, notifytest.NewDelivery("d"+strconv.Itoa(i), endpoint, orderKey(i))))
	}
	// Keep one delivery in 20: a third of them dead, a third retried.
	kept := map[string]string{} // id -> dead reason, "" if pending
	var drain []string
	for i := range n {
		id := "d" + strconv.Itoa(i)
		switch {
		case i%60 == 0:
			require.NoError(t, o.DeadLetter(ctx, id, notify.Attempt{At: now, Status: 400}, "reason "+id))
			kept[id] = "reason " + id
		case i%60 == 20:
			require.NoError(t, o.Retry(ctx, id, notify.Attempt{At: now, Status: 503, Response: []byte(id)}, now))
			kept[id] = ""
		case i%20 == 0:
			kept[id] = ""
		default:
			drain = append(drain, id)
		}
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(drain), func(i, j int) { drain[i], drain[j] = drain[j], drain[i] })
	for _, id := range drain {
		require.NoError(t, o.Ack(ctx, id, notify.Attempt{}))
	}

	left, err := o.List(ctx, notify.Filter{})
	require.NoError(t, err)
	require.Len(t, left, len(kept))
	for i, d := range left {
		if i > 0 {
			require.Less(t, left[i-1].Seq, d.Seq, "List is in Seq order")
		}
		want := notifytest.NewDelivery(d.ID, endpoint, orderKey(mustAtoi(t, d.ID[1:])))
		require.Equal(t, want.OrderKey, d.OrderKey, d.ID)
		require.Equal(t, string(want.Key), string(d.Key), d.ID)
		require.Equal(t, string(want.Body), string(d.Body), d.ID)
		require.Equal(t, kept[d.ID], d.DeadReason, d.ID)
		if reason := kept[d.ID]; reason != "" {
			require.Equal(t, notify.Dead, d.State, d.ID)
			require.NoError(t, o.Replay(ctx, d.ID, now))
		} else if i := mustAtoi(t, d.ID[1:]); i%60 == 20 {
			require.Len(t, d.Attempts, 1, d.ID)
			require.Equal(t, d.ID, string(d.Attempts[0].Response))
		}
	}

	// Everything left is delivered, one OrderKey at a time in Seq order.
	last := map[string]uint64{}
	for delivered := 0; delivered < len(kept); {
		ds, err := o.Claim(ctx, endpoint, now, time.Minute, 4)
		require.NoError(t, err)
		require.NotEmpty(t, ds, "%d of %d delivered, none claimable", delivered, len(kept))
		for _, d := range ds {
			if d.OrderKey != "" {
				require.Less(t, last[d.OrderKey], d.Seq, "%s out of order", d.ID)
				last[d.OrderKey] = d.Seq
			}
			require.NoError(t, o.Ack(ctx, d.ID, notify.Attempt{}))
			delivered++
		}
	}
	eps, err := o.Endpoints(ctx)
	require.NoError(t, err)
	require.Empty(t, eps)

	require.NoError(t, o.Enqueue(ctx, now, notifytest.NewDelivery("again", endpoint, "k")))
	ds, err := o.Claim(ctx, endpoint, now, time.Minute, 4)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	require.Equal(t, "again", ds[0].ID)
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	i, err := strconv.Atoi(s)
	require.NoError(t, err)
	return i
}

// BenchmarkMemoryOutbox measures one delivery's way through the outbox:
// enqueue, claim among a thousand pending on its endpoint, ack.
func BenchmarkMemoryOutbox(b *testing.B) {
	const endpoint, backlog = "https://a.example.com/hook", 1000
	o := notify.NewMemoryOutbox()
	now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	for i := range backlog {
		d := notifytest.NewDelivery(fmt.Sprintf("backlog-%d", i), endpoint, fmt.Sprintf("k%d", i%50))
		d.NextAttempt = now.Add(time.Hour)
		require.NoError(b, o.Enqueue(b.Context(), now, d))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		id := fmt.Sprintf("d%d", i)
		if err := o.Enqueue(b.Context(), now, notifytest.NewDelivery(id, endpoint, "")); err != nil {
			b.Fatal(err)
		}
		ds, err := o.Claim(b.Context(), endpoint, now, time.Minute, 1)
		if err != nil || len(ds) != 1 {
			b.Fatalf("claim: %v, %d deliveries", err, len(ds))
		}
		if err := o.Ack(b.Context(), ds[0].ID, notify.Attempt{At: now, Status: 200}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMemoryOutboxEmpty checks that a new outbox answers ErrNotFound to
// every call naming a delivery, before anything was enqueued (it used to
// panic on its unseeded hash).
func TestMemoryOutboxEmpty(t *testing.T) {
	t.Parallel()
	o := notify.NewMemoryOutbox()
	now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	for name, err := range map[string]error{
		"ack":         o.Ack(t.Context(), "x", notify.Attempt{}),
		"retry":       o.Retry(t.Context(), "x", notify.Attempt{}, now),
		"release":     o.Release(t.Context(), "x", now),
		"dead letter": o.DeadLetter(t.Context(), "x", notify.Attempt{}, "r"),
		"replay":      o.Replay(t.Context(), "x", now),
	} {
		require.ErrorIs(t, err, notify.ErrNotFound, name)
	}
}
