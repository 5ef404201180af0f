package notifytest

import (
	"testing"
	"time"

	"github.com/a12b7632/elementevents/notify"
	"github.com/stretchr/testify/require"
)

var listCases = []testCase{
	{Name: "EmptyOutbox", Test: testListEmpty},
	{Name: "FiltersInSeqOrder", Test: testListFilters},
	{Name: "ReturnsCopies", Test: testListCopies},
}

var endpointsCases = []testCase{
	{Name: "EmptyOutbox", Test: testEndpointsEmpty},
	{Name: "SortedByURLWithCounts", Test: testEndpointsCounts},
	{Name: "NextDueIsTheEarliestNextAttempt", Test: testEndpointsNextDue},
	{Name: "NextDueOfALeasedDeliveryIsTheLeaseEnd", Test: testEndpointsNextDueLeased},
	{Name: "NextDueIsZeroWithNothingPending", Test: testEndpointsNextDueNone},
	{Name: "NextDueIgnoresDeliveriesBlockedByOrderKey", Test: testEndpointsNextDueBlocked},
	{Name: "OldestIsTheFirstPendingEnqueued", Test: testEndpointsOldest},
	{Name: "DeliveredEndpointIsDropped", Test: testEndpointsDropped},
	{Name: "DisabledEndpointWithoutDeliveriesIsReported", Test: testEndpointsDisabledEmpty},
	{Name: "DisableAndEnableKeepTheDeliveries", Test: testEndpointsDisableEnable},
}

func testListEmpty(t *testing.T, o notify.Outbox) {
	require.Empty(t, list(t, o, notify.Filter{}))
	require.Empty(t, list(t, o, notify.Filter{Endpoint: epA, State: notify.Dead, Limit: 3}))
}

func testListFilters(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0,
		NewDelivery("a1", epA, ""), NewDelivery("b1", epB, ""), NewDelivery("a2", epA, ""),
		NewDelivery("b2", epB, ""), NewDelivery("a3", epA, ""), NewDelivery("b3", epB, ""))
	require.NoError(t, o.DeadLetter(t.Context(), "a2", attempt(t0, 400), "400"))
	require.NoError(t, o.DeadLetter(t.Context(), "b1", attempt(t0, 400), "400"))
	require.NoError(t, o.DeadLetter(t.Context(), "b3", attempt(t0, 400), "400"))
	require.NoError(t, o.Ack(t.Context(), "a3", notify.Attempt{At: t0, Status: 200}))
	// Replay keeps b1's place: List orders by Seq, not by when a delivery
	// last changed.
	require.NoError(t, o.Replay(t.Context(), "b1", t0))

	tests := []struct {
		name string
		f    notify.Filter
		want []string
	}{
		{"all", notify.Filter{}, []string{"a1", "b1", "a2", "b2", "b3"}},
		{"endpoint", notify.Filter{Endpoint: epA}, []string{"a1", "a2"}},
		{"pending", notify.Filter{State: notify.Pending}, []string{"a1", "b1", "b2"}},
		{"dead", notify.Filter{State: notify.Dead}, []string{"a2", "b3"}},
		{"endpoint and state", notify.Filter{Endpoint: epB, State: notify.Pending}, []string{"b1", "b2"}},
		{"limit", notify.Filter{Limit: 2}, []string{"a1", "b1"}},
		{"limit above count", notify.Filter{Limit: 10}, []string{"a1", "b1", "a2", "b2", "b3"}},
		{"endpoint, state and limit", notify.Filter{Endpoint: epB, State: notify.Pending, Limit: 1}, []string{"b1"}},
		{"unknown endpoint", notify.Filter{Endpoint: epC}, []string{}},
	}
	for _, tt := range tests {
		got := list(t, o, tt.f)
		require.Equal(t, tt.want, ids(got), tt.name)
		for _, d := range got {
			if tt.f.State != "" {
				require.Equal(t, tt.f.State, d.State, "%s: %s", tt.name, d.ID)
			}
		}
	}
}

func testListCopies(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, ""))
	require.NoError(t, o.DeadLetter(t.Context(), "a1", attempt(t0, 400), "400"))

	got := list(t, o, notify.Filter{})
	got[0].Body[0] = 'X'
	got[0].Key[0] = 'X'
	got[0].Attempts[0].Response[0] = 'X'
	got[0].Attempts = append(got[0].Attempts, attempt(t0, 500))

	again := find(t, o, "a1")
	require.Equal(t, string(NewDelivery("a1", epA, "").Body), string(again.Body))
	require.Equal(t, string(NewDelivery("a1", epA, "").Key), string(again.Key))
	requireAttempts(t, []notify.Attempt{attempt(t0, 400)}, again.Attempts)
}

func testEndpointsEmpty(t *testing.T, o notify.Outbox) {
	require.Empty(t, endpoints(t, o))
}

func testEndpointsCounts(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0,
		NewDelivery("c1", epC, ""), NewDelivery("a1", epA, ""), NewDelivery("b1", epB, ""),
		NewDelivery("a2", epA, ""), NewDelivery("c2", epC, ""), NewDelivery("a3", epA, ""))
	require.NoError(t, o.DeadLetter(t.Context(), "a1", attempt(t0, 400), "400"))
	require.NoError(t, o.DeadLetter(t.Context(), "c1", attempt(t0, 400), "400"))
	require.NoError(t, o.DeadLetter(t.Context(), "c2", attempt(t0, 400), "400"))

	got := endpoints(t, o)
	require.Len(t, got, 3)
	for i, want := range []notify.EndpointStatus{
		{URL: epA, Pending: 2, Dead: 1},
		{URL: epB, Pending: 1, Dead: 0},
		{URL: epC, Pending: 0, Dead: 2},
	} {
		require.Equal(t, want.URL, got[i].URL, "sorted by URL")
		require.Equal(t, want.Pending, got[i].Pending, "%s Pending", want.URL)
		require.Equal(t, want.Dead, got[i].Dead, "%s Dead", want.URL)
		require.False(t, got[i].Disabled, "%s Disabled", want.URL)
		require.Empty(t, got[i].Reason, "%s Reason", want.URL)
	}
}

func testEndpointsNextDue(t *testing.T, o notify.Outbox) {
	d1, d2 := NewDelivery("a1", epA, ""), NewDelivery("a2", epA, "")
	d1.NextAttempt, d2.NextAttempt = at(time.Hour), at(time.Minute)
	enqueue(t, o, t0, d1, d2)
	requireTime(t, at(time.Minute), status(t, o, epA).NextDue, "NextDue")

	enqueue(t, o, at(time.Second), NewDelivery("a3", epA, ""))
	requireTime(t, at(time.Second), status(t, o, epA).NextDue, "NextDue")
}

func testEndpointsNextDueLeased(t *testing.T, o notify.Outbox) {
	later := NewDelivery("a2", epA, "")
	later.NextAttempt = at(time.Hour)
	enqueue(t, o, t0, NewDelivery("a1", epA, ""), later)
	requireClaim(t, o, epA, at(time.Second), 10, "a1")

	requireTime(t, at(time.Second+lease), status(t, o, epA).NextDue, "NextDue")
}

func testEndpointsNextDueNone(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, ""))
	require.NoError(t, o.DeadLetter(t.Context(), "a1", attempt(t0, 400), "400"))

	s := status(t, o, epA)
	require.Equal(t, 1, s.Dead)
	require.True(t, s.NextDue.IsZero(), "NextDue with nothing pending: %v", s.NextDue)
}

// testEndpointsNextDueBlocked pins down that NextDue is when Claim could
// next return something. A delivery waiting behind an earlier one of its
// OrderKey cannot be claimed at its own NextAttempt; counting it would
// give a NextDue in the past that a scheduler would spin on.
func testEndpointsNextDueBlocked(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("k1", epA, "k"), NewDelivery("k2", epA, "k"))
	requireClaim(t, o, epA, t0, 10, "k1")
	require.NoError(t, o.Retry(t.Context(), "k1", attempt(t0, 503), at(time.Hour)))

	requireTime(t, at(time.Hour), status(t, o, epA).NextDue, "NextDue")
}

// testEndpointsOldest pins down Oldest: the CreatedAt of the pending
// delivery enqueued first, whatever its NextAttempt, lease or OrderKey,
// and zero once nothing is pending.
func testEndpointsOldest(t *testing.T, o notify.Outbox) {
	later := NewDelivery("a1", epA, "k")
	later.NextAttempt = at(time.Hour)
	enqueue(t, o, t0, later)
	enqueue(t, o, at(time.Second), NewDelivery("a2", epA, "k"), NewDelivery("a3", epA, ""))
	enqueue(t, o, at(2*time.Second), NewDelivery("b1", epB, ""))
	requireTime(t, t0, status(t, o, epA).Oldest, "Oldest of A")
	requireTime(t, at(2*time.Second), status(t, o, epB).Oldest, "Oldest of B")

	requireClaim(t, o, epA, at(3*time.Second), 10, "a3")
	require.NoError(t, o.Ack(t.Context(), "a3", attempt(at(3*time.Second), 200)))
	requireTime(t, t0, status(t, o, epA).Oldest, "Oldest with the oldest not due")

	require.NoError(t, o.DeadLetter(t.Context(), "a1", attempt(at(4*time.Second), 400), "400"))
	requireTime(t, at(time.Second), status(t, o, epA).Oldest, "Oldest once the first is dead")

	require.NoError(t, o.DeadLetter(t.Context(), "a2", attempt(at(5*time.Second), 400), "400"))
	require.True(t, status(t, o, epA).Oldest.IsZero(), "Oldest with nothing pending")
}

func testEndpointsDropped(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, ""), NewDelivery("b1", epB, ""))
	require.NoError(t, o.Ack(t.Context(), "a1", notify.Attempt{At: t0, Status: 200}))

	got := endpoints(t, o)
	require.Len(t, got, 1, "an endpoint with no deliveries that is enabled is not reported")
	require.Equal(t, epB, got[0].URL)
}

func testEndpointsDisabledEmpty(t *testing.T, o notify.Outbox) {
	require.NoError(t, o.SetDisabled(t.Context(), epB, true, "410 Gone"))

	got := endpoints(t, o)
	require.Len(t, got, 1)
	require.Equal(t, epB, got[0].URL)
	require.True(t, got[0].Disabled)
	require.Equal(t, "410 Gone", got[0].Reason)
	require.Zero(t, got[0].Pending)
	require.Zero(t, got[0].Dead)
	require.True(t, got[0].NextDue.IsZero(), "NextDue: %v", got[0].NextDue)

	require.NoError(t, o.SetDisabled(t.Context(), epB, false, ""))
	require.Empty(t, endpoints(t, o), "enabled again and without deliveries")

	require.NoError(t, o.SetDisabled(t.Context(), epC, false, ""), "enabling an unknown endpoint")
	require.Empty(t, endpoints(t, o))
}

func testEndpointsDisableEnable(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, ""), NewDelivery("a2", epA, ""))
	require.NoError(t, o.DeadLetter(t.Context(), "a2", attempt(t0, 400), "400"))

	require.NoError(t, o.SetDisabled(t.Context(), epA, true, "410 Gone"))
	s := status(t, o, epA)
	require.True(t, s.Disabled)
	require.Equal(t, "410 Gone", s.Reason)
	require.Equal(t, 1, s.Pending)
	require.Equal(t, 1, s.Dead)

	require.NoError(t, o.SetDisabled(t.Context(), epA, true, "disabled by operator"))
	require.Equal(t, "disabled by operator", status(t, o, epA).Reason, "disabling again updates the reason")

	require.NoError(t, o.SetDisabled(t.Context(), epA, false, ""))
	s = status(t, o, epA)
	require.False(t, s.Disabled)
	require.Empty(t, s.Reason)
	require.Equal(t, 1, s.Pending)
	require.Equal(t, 1, s.Dead)
}
