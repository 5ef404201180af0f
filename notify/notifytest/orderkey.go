package notifytest

import (
	"testing"
	"time"

	"github.com/a12b7632/elementevents/notify"
	"github.com/stretchr/testify/require"
)

var orderKeyCases = []testCase{
	{Name: "SecondWaitsWhileFirstIsLeased", Test: testOrderLeased},
	{Name: "SecondWaitsWhileFirstIsRetriedLater", Test: testOrderRetried},
	{Name: "SecondWaitsWhileFirstIsNotYetDue", Test: testOrderNotYetDue},
	{Name: "SecondWaitsWhileFirstIsReleased", Test: testOrderReleased},
	{Name: "AckOfFirstUnblocks", Test: testOrderAck},
	{Name: "DeadLetterOfFirstUnblocks", Test: testOrderDeadLetter},
	{Name: "ReplayedFirstBlocksAgain", Test: testOrderReplay},
	{Name: "EmptyKeyNeverBlocks", Test: testOrderEmptyKey},
	{Name: "DifferentKeysDoNotBlockEachOther", Test: testOrderDifferentKeys},
	{Name: "BlockedDeliveriesDoNotCountAgainstMax", Test: testOrderMax},
	{Name: "KeyIsScopedToItsEndpoint", Test: testOrderPerEndpoint},
}

func testOrderLeased(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("k1", epA, "k"), NewDelivery("k2", epA, "k"))
	requireClaim(t, o, epA, t0, 10, "k1")
	requireClaim(t, o, epA, at(time.Second), 10)
	// k1's worker died: k1 comes back, k2 still waits behind it.
	requireClaim(t, o, epA, at(lease), 10, "k1")
}

func testOrderRetried(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("k1", epA, "k"), NewDelivery("k2", epA, "k"))
	requireClaim(t, o, epA, t0, 10, "k1")
	require.NoError(t, o.Retry(t.Context(), "k1", attempt(t0, 503), at(time.Hour)))

	requireClaim(t, o, epA, at(time.Minute), 10)
	requireClaim(t, o, epA, at(time.Hour), 10, "k1")
}

func testOrderNotYetDue(t *testing.T, o notify.Outbox) {
	first := NewDelivery("k1", epA, "k")
	first.NextAttempt = at(time.Hour)
	enqueue(t, o, t0, first, NewDelivery("k2", epA, "k"))

	requireClaim(t, o, epA, t0, 10)
	requireClaim(t, o, epA, at(time.Hour), 10, "k1")
}

func testOrderReleased(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("k1", epA, "k"), NewDelivery("k2", epA, "k"))
	requireClaim(t, o, epA, t0, 10, "k1")
	require.NoError(t, o.Release(t.Context(), "k1", at(time.Minute)))

	requireClaim(t, o, epA, at(time.Second), 10)
	requireClaim(t, o, epA, at(time.Minute), 10, "k1")
}

func testOrderAck(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("k1", epA, "k"), NewDelivery("k2", epA, "k"), NewDelivery("k3", epA, "k"))
	requireClaim(t, o, epA, t0, 10, "k1")
	require.NoError(t, o.Ack(t.Context(), "k1", notify.Attempt{At: t0, Status: 204}))
	requireClaim(t, o, epA, t0, 10, "k2")
	require.NoError(t, o.Ack(t.Context(), "k2", notify.Attempt{At: t0, Status: 200}))
	requireClaim(t, o, epA, t0, 10, "k3")
}

func testOrderDeadLetter(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("k1", epA, "k"), NewDelivery("k2", epA, "k"))
	requireClaim(t, o, epA, t0, 10, "k1")
	require.NoError(t, o.DeadLetter(t.Context(), "k1", attempt(t0, 400), "400 Bad Request"))
	requireClaim(t, o, epA, t0, 10, "k2")
}

func testOrderReplay(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("k1", epA, "k"), NewDelivery("k2", epA, "k"), NewDelivery("k3", epA, "k"))
	requireClaim(t, o, epA, t0, 10, "k1")
	require.NoError(t, o.DeadLetter(t.Context(), "k1", attempt(t0, 400), "400 Bad Request"))
	requireClaim(t, o, epA, t0, 10, "k2")
	require.NoError(t, o.Ack(t.Context(), "k2", notify.Attempt{At: t0, Status: 200}))

	// Replayed, k1 is pending again with its old Seq, so it is earlier
	// than k3 and goes first.
	require.NoError(t, o.Replay(t.Context(), "k1", at(time.Minute)))
	requireClaim(t, o, epA, at(time.Second), 10)
	requireClaim(t, o, epA, at(time.Minute), 10, "k1")
	require.NoError(t, o.Ack(t.Context(), "k1", notify.Attempt{At: at(time.Minute), Status: 200}))
	requireClaim(t, o, epA, at(time.Minute), 10, "k3")
}

func testOrderEmptyKey(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("n1", epA, ""), NewDelivery("n2", epA, ""), NewDelivery("n3", epA, ""))
	requireClaim(t, o, epA, t0, 10, "n1", "n2", "n3")
}

func testOrderDifferentKeys(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0,
		NewDelivery("x1", epA, "x"), NewDelivery("y1", epA, "y"), NewDelivery("n1", epA, ""),
		NewDelivery("x2", epA, "x"), NewDelivery("y2", epA, "y"), NewDelivery("n2", epA, ""))
	requireClaim(t, o, epA, t0, 10, "x1", "y1", "n1", "n2")
	require.NoError(t, o.Ack(t.Context(), "y1", notify.Attempt{At: t0, Status: 200}))
	requireClaim(t, o, epA, t0, 10, "y2")
}

func testOrderMax(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("x1", epA, "x"), NewDelivery("x2", epA, "x"), NewDelivery("y1", epA, "y"))
	requireClaim(t, o, epA, t0, 2, "x1", "y1")
}

// testOrderPerEndpoint pins down that blocking is per endpoint: order only
// matters to one receiver, and a disabled or failing endpoint must not
// hold back another (per-endpoint isolation).
func testOrderPerEndpoint(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, "k"), NewDelivery("b1", epB, "k"))
	require.NoError(t, o.SetDisabled(t.Context(), epA, true, "410 Gone"))
	requireClaim(t, o, epB, t0, 10, "b1")
}
