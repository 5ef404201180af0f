package notifytest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/notify"
	"github.com/stretchr/testify/require"
)

var settleCases = []testCase{
	{Name: "AckRemovesTheDelivery", Test: testAck},
	{Name: "AckWorksWithoutALease", Test: testAckUnleased},
	{Name: "RetryRecordsTheAttemptAndReschedules", Test: testRetry},
	{Name: "RetryEndsTheLease", Test: testRetryEndsLease},
	{Name: "ReleaseReschedulesWithoutAnAttempt", Test: testRelease},
	{Name: "DeadLetterMovesToDead", Test: testDeadLetter},
	{Name: "DeadLetterSkipsAZeroAttempt", Test: testDeadLetterZeroAttempt},
	{Name: "ReplayMakesADeadDeliveryPendingAgain", Test: testReplay},
	{Name: "NotFoundForUnknownIDsAndWrongStates", Test: testNotFound},
}

func testAck(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, ""), NewDelivery("a2", epA, ""))
	requireClaim(t, o, epA, t0, 1, "a1")
	require.NoError(t, o.Ack(t.Context(), "a1", notify.Attempt{At: t0, Status: 200, Latency: time.Second}))

	requireAbsent(t, o, "a1")
	require.Equal(t, 1, status(t, o, epA).Pending)
	requireClaim(t, o, epA, at(time.Hour), 10, "a2")
}

func testAckUnleased(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, ""))
	require.NoError(t, o.Ack(t.Context(), "a1", notify.Attempt{At: t0, Status: 204}))
	requireAbsent(t, o, "a1")
}

func testRetry(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, ""))
	first, second := attempt(t0, 503), attempt(at(10*time.Second), 429)

	requireClaim(t, o, epA, t0, 1, "a1")
	require.NoError(t, o.Retry(t.Context(), "a1", first, at(10*time.Second)))
	got := find(t, o, "a1")
	require.Equal(t, notify.Pending, got.State)
	requireTime(t, at(10*time.Second), got.NextAttempt, "NextAttempt")
	requireAttempts(t, []notify.Attempt{first}, got.Attempts)

	requireClaim(t, o, epA, at(9*time.Second), 1)
	requireClaim(t, o, epA, at(10*time.Second), 1, "a1")
	require.NoError(t, o.Retry(t.Context(), "a1", second, at(5*time.Minute)))
	got = find(t, o, "a1")
	requireTime(t, at(5*time.Minute), got.NextAttempt, "NextAttempt")
	requireAttempts(t, []notify.Attempt{first, second}, got.Attempts) // oldest first
}

func testRetryEndsLease(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, ""))
	requireClaim(t, o, epA, t0, 1, "a1")
	require.NoError(t, o.Retry(t.Context(), "a1", attempt(t0, 500), at(time.Second)))

	require.True(t, find(t, o, "a1").LeaseUntil.IsZero(), "LeaseUntil after Retry")
	// Due again long before the old lease would have ended.
	requireClaim(t, o, epA, at(time.Second), 1, "a1")
}

func testRelease(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, ""))
	requireClaim(t, o, epA, t0, 1, "a1")
	require.NoError(t, o.Release(t.Context(), "a1", at(30*time.Second)))

	got := find(t, o, "a1")
	require.Equal(t, notify.Pending, got.State)
	require.True(t, got.LeaseUntil.IsZero(), "LeaseUntil after Release")
	requireTime(t, at(30*time.Second), got.NextAttempt, "NextAttempt")
	require.Empty(t, got.Attempts, "Release records no attempt")

	requireClaim(t, o, epA, at(29*time.Second), 1)
	requireClaim(t, o, epA, at(30*time.Second), 1, "a1")
}

func testDeadLetter(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, ""))
	first, last := attempt(t0, 503), attempt(at(time.Minute), 404)
	requireClaim(t, o, epA, t0, 1, "a1")
	require.NoError(t, o.Retry(t.Context(), "a1", first, at(time.Minute)))
	requireClaim(t, o, epA, at(time.Minute), 1, "a1")
	require.NoError(t, o.DeadLetter(t.Context(), "a1", last, "404 Not Found"))

	got := find(t, o, "a1")
	require.Equal(t, notify.Dead, got.State)
	require.Equal(t, "404 Not Found", got.DeadReason)
	require.True(t, got.LeaseUntil.IsZero(), "LeaseUntil of a dead delivery")
	requireAttempts(t, []notify.Attempt{first, last}, got.Attempts)

	requireClaim(t, o, epA, at(24*time.Hour), 10)
	s := status(t, o, epA)
	require.Equal(t, 0, s.Pending)
	require.Equal(t, 1, s.Dead)
}

func testDeadLetterZeroAttempt(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, ""))
	require.NoError(t, o.DeadLetter(t.Context(), "a1", notify.Attempt{}, "cancelled by operator"))

	got := find(t, o, "a1")
	require.Equal(t, notify.Dead, got.State)
	require.Equal(t, "cancelled by operator", got.DeadReason)
	require.Empty(t, got.Attempts)
}

func testReplay(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, ""))
	last := attempt(t0, 400)
	requireClaim(t, o, epA, t0, 1, "a1")
	require.NoError(t, o.DeadLetter(t.Context(), "a1", last, "400 Bad Request"))
	seq := find(t, o, "a1").Seq

	require.NoError(t, o.Replay(t.Context(), "a1", at(time.Hour)))
	got := find(t, o, "a1")
	require.Equal(t, notify.Pending, got.State)
	require.Equal(t, seq, got.Seq)
	requireTime(t, at(time.Hour), got.NextAttempt, "NextAttempt")
	requireAttempts(t, []notify.Attempt{last}, got.Attempts)
	s := status(t, o, epA)
	require.Equal(t, 1, s.Pending)
	require.Equal(t, 0, s.Dead)

	requireClaim(t, o, epA, at(time.Hour-time.Second), 1)
	ds := requireClaim(t, o, epA, at(time.Hour), 1, "a1")
	requireAttempts(t, []notify.Attempt{last}, ds[0].Attempts)
}

// testNotFound checks every settling call against ids the outbox does not
// hold in the state the call needs, and that a refused call changes
// nothing.
func testNotFound(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0,
		NewDelivery("leased", epA, ""), NewDelivery("pending", epA, ""),
		NewDelivery("dead", epA, ""), NewDelivery("acked", epA, ""))
	requireClaim(t, o, epA, t0, 1, "leased")
	require.NoError(t, o.DeadLetter(t.Context(), "dead", attempt(t0, 400), "400"))
	require.NoError(t, o.Ack(t.Context(), "acked", notify.Attempt{At: t0, Status: 200}))
	before := list(t, o, notify.Filter{})

	a := attempt(t0, 500)
	calls := map[string]func(ctx context.Context, id string) error{
		"Ack":        func(ctx context.Context, id string) error { return o.Ack(ctx, id, a) },
		"Retry":      func(ctx context.Context, id string) error { return o.Retry(ctx, id, a, t0) },
		"Release":    func(ctx context.Context, id string) error { return o.Release(ctx, id, t0) },
		"DeadLetter": func(ctx context.Context, id string) error { return o.DeadLetter(ctx, id, a, "x") },
		"Replay":     func(ctx context.Context, id string) error { return o.Replay(ctx, id, t0) },
	}
	tests := []struct {
		call, id string
		wantErr  error
	}{
		{"Ack", "unknown", notify.ErrNotFound},
		{"Ack", "acked", notify.ErrNotFound},
		{"Ack", "dead", notify.ErrNotFound},
		{"Retry", "unknown", notify.ErrNotFound},
		{"Retry", "acked", notify.ErrNotFound},
		{"Retry", "dead", notify.ErrNotFound},
		{"Release", "unknown", notify.ErrNotFound},
		{"Release", "acked", notify.ErrNotFound},
		{"Release", "dead", notify.ErrNotFound},
		{"DeadLetter", "unknown", notify.ErrNotFound},
		{"DeadLetter", "acked", notify.ErrNotFound},
		{"DeadLetter", "dead", notify.ErrNotFound},
		{"Replay", "unknown", notify.ErrNotFound},
		{"Replay", "acked", notify.ErrNotFound},
		{"Replay", "pending", notify.ErrNotFound},
		{"Replay", "leased", notify.ErrNotFound},
	}
	for _, tt := range tests {
		err := calls[tt.call](t.Context(), tt.id)
		require.Truef(t, errors.Is(err, tt.wantErr), "%s(%q): want %v, got %v", tt.call, tt.id, tt.wantErr, err)
	}

	after := list(t, o, notify.Filter{})
	require.Equal(t, ids(before), ids(after))
	for i := range before {
		require.Equal(t, before[i].State, after[i].State, "%s State", before[i].ID)
		require.Equal(t, before[i].DeadReason, after[i].DeadReason, "%s DeadReason", before[i].ID)
		requireTime(t, before[i].NextAttempt, after[i].NextAttempt, before[i].ID+" NextAttempt")
		requireTime(t, before[i].LeaseUntil, after[i].LeaseUntil, before[i].ID+" LeaseUntil")
		requireAttempts(t, before[i].Attempts, after[i].Attempts)
	}
}
