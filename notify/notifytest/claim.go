package notifytest

import (
	"testing"
	"time"

	"github.com/a12b7632/elementevents/notify"
	"github.com/stretchr/testify/require"
)

var claimCases = []testCase{
	{Name: "OnlyDueDeliveries", Test: testClaimDue},
	{Name: "InSeqOrderNotNextAttemptOrder", Test: testClaimSeqOrder},
	{Name: "AtMostMax", Test: testClaimMax},
	{Name: "LeasesUntilNowPlusLease", Test: testClaimLeases},
	{Name: "LeaseExcludesUntilItEnds", Test: testClaimLeaseExcludes},
	{Name: "ExpiredLeaseIsClaimableAgain", Test: testClaimExpiredLease},
	{Name: "DisabledEndpointYieldsNothing", Test: testClaimDisabled},
	{Name: "EndpointsAreIsolated", Test: testClaimIsolated},
	{Name: "UnknownEndpointYieldsNothing", Test: testClaimUnknown},
	{Name: "ReturnsCopies", Test: testClaimCopies},
}

func testClaimDue(t *testing.T, o notify.Outbox) {
	later := NewDelivery("later", epA, "")
	later.NextAttempt = at(time.Minute)
	enqueue(t, o, t0, NewDelivery("now", epA, ""), later)

	requireClaim(t, o, epA, at(-time.Second), 10) // enqueued "now" is due at t0, not before
	requireClaim(t, o, epA, t0, 10, "now")        // NextAttempt == now is due
	require.NoError(t, o.Ack(t.Context(), "now", notify.Attempt{At: t0, Status: 200}))
	requireClaim(t, o, epA, at(59*time.Second), 10)
	requireClaim(t, o, epA, at(time.Minute), 10, "later")
}

func testClaimSeqOrder(t *testing.T, o notify.Outbox) {
	var ds []notify.Delivery
	for i, id := range []string{"d1", "d2", "d3", "d4"} {
		d := NewDelivery(id, epA, "")
		d.NextAttempt = at(-time.Duration(i) * time.Minute) // later Seq, earlier time
		ds = append(ds, d)
	}
	enqueue(t, o, t0, ds...)
	requireClaim(t, o, epA, t0, 10, "d1", "d2", "d3", "d4")
}

func testClaimMax(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0,
		NewDelivery("d1", epA, ""), NewDelivery("d2", epA, ""), NewDelivery("d3", epA, ""),
		NewDelivery("d4", epA, ""), NewDelivery("d5", epA, ""))

	requireClaim(t, o, epA, t0, 0)
	requireClaim(t, o, epA, t0, 2, "d1", "d2")
	requireClaim(t, o, epA, t0, 2, "d3", "d4")
	requireClaim(t, o, epA, t0, 2, "d5")
	requireClaim(t, o, epA, t0, 2)
}

func testClaimLeases(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, "k"))
	now := at(5 * time.Second)
	ds, err := o.Claim(t.Context(), epA, now, 90*time.Second, 1)
	require.NoError(t, err)
	require.Len(t, ds, 1)

	for _, d := range []notify.Delivery{ds[0], find(t, o, "a1")} {
		require.Equal(t, notify.Pending, d.State, "a leased delivery is still pending")
		requireTime(t, now.Add(90*time.Second), d.LeaseUntil, "LeaseUntil")
		requireTime(t, t0, d.NextAttempt, "NextAttempt")
		require.Equal(t, "k", d.OrderKey)
		require.Equal(t, string(NewDelivery("a1", epA, "k").Body), string(d.Body))
		require.Empty(t, d.Attempts, "claiming is not an attempt")
	}
}

func testClaimLeaseExcludes(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, ""), NewDelivery("a2", epA, ""))
	requireClaim(t, o, epA, t0, 1, "a1")
	requireClaim(t, o, epA, t0, 10, "a2")
	requireClaim(t, o, epA, at(lease-time.Second), 10)
}

func testClaimExpiredLease(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, ""))
	requireClaim(t, o, epA, t0, 1, "a1")
	// The worker holding a1 died without a word. When its lease ends (and
	// not before: NextDue calls the lease's end the earliest claim time),
	// another worker takes a1 over with a new lease.
	requireClaim(t, o, epA, at(lease-time.Second), 1)
	ds := requireClaim(t, o, epA, at(lease), 1, "a1")
	requireTime(t, at(2*lease), ds[0].LeaseUntil, "renewed LeaseUntil")
	require.Empty(t, ds[0].Attempts)
	requireClaim(t, o, epA, at(lease+time.Second), 1)
}

func testClaimDisabled(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, ""), NewDelivery("a2", epA, ""))
	require.NoError(t, o.SetDisabled(t.Context(), epA, true, "410 Gone"))

	requireClaim(t, o, epA, at(time.Hour), 10)
	for _, d := range list(t, o, notify.Filter{Endpoint: epA}) {
		require.Equal(t, notify.Pending, d.State, "deliveries of a disabled endpoint stay pending")
	}

	require.NoError(t, o.SetDisabled(t.Context(), epA, false, ""))
	requireClaim(t, o, epA, at(time.Hour), 10, "a1", "a2")
}

func testClaimIsolated(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0,
		NewDelivery("a1", epA, ""), NewDelivery("b1", epB, ""),
		NewDelivery("a2", epA, ""), NewDelivery("b2", epB, ""))

	requireClaim(t, o, epA, t0, 10, "a1", "a2")
	require.NoError(t, o.SetDisabled(t.Context(), epA, true, "down"))
	require.NoError(t, o.DeadLetter(t.Context(), "a1", notify.Attempt{}, "given up"))
	requireClaim(t, o, epB, t0, 10, "b1", "b2")
}

func testClaimUnknown(t *testing.T, o notify.Outbox) {
	requireClaim(t, o, epA, t0, 10)
	enqueue(t, o, t0, NewDelivery("a1", epA, ""))
	requireClaim(t, o, epC, t0, 10)
}

func testClaimCopies(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, ""))
	requireClaim(t, o, epA, t0, 1, "a1")
	require.NoError(t, o.Retry(t.Context(), "a1", attempt(t0, 500), t0))
	ds := requireClaim(t, o, epA, t0, 1, "a1")

	// Key, Body and the attempts' Response bytes may be shared (read-only);
	// everything else is the caller's.
	ds[0].Attempts[0].Status = 200
	ds[0].Attempts = append(ds[0].Attempts, attempt(t0, 502))
	ds[0].Endpoint, ds[0].OrderKey, ds[0].State = epB, "changed", notify.Dead

	got := find(t, o, "a1")
	require.Equal(t, string(NewDelivery("a1", epA, "").Body), string(got.Body))
	require.Equal(t, string(NewDelivery("a1", epA, "").Key), string(got.Key))
	requireAttempts(t, []notify.Attempt{attempt(t0, 500)}, got.Attempts)
	require.Equal(t, epA, got.Endpoint)
	require.Empty(t, got.OrderKey)
	require.Equal(t, notify.Pending, got.State)
}
