package notifytest

import (
	"fmt"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/notify"
	"github.com/stretchr/testify/require"
)

var enqueueCases = []testCase{
	{Name: "SetsSeqStateAndTimes", Test: testEnqueueSets},
	{Name: "KeepsCallerFields", Test: testEnqueueKeepsFields},
	{Name: "KeepsAGivenNextAttempt", Test: testEnqueueKeepsNextAttempt},
	{Name: "StoresAWholeBatch", Test: testEnqueueBatch},
	{Name: "NothingIsANoOp", Test: testEnqueueNothing},
	{Name: "SkipsAHeldIDAndKeepsTheOriginal", Test: testEnqueueDuplicate},
	{Name: "SkipsADuplicateWithinABatch", Test: testEnqueueDuplicateInBatch},
	{Name: "SkipsTheIDOfADeadDelivery", Test: testEnqueueDuplicateDead},
	{Name: "CopiesTheCallersBytes", Test: testEnqueueCopies},
}

func testEnqueueSets(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, ""), NewDelivery("b1", epB, ""))
	enqueue(t, o, at(time.Second), NewDelivery("a2", epA, "k"))

	got := list(t, o, notify.Filter{})
	require.Equal(t, []string{"a1", "b1", "a2"}, ids(got), "Seq order is enqueue order")
	for i, d := range got {
		require.Equal(t, notify.Pending, d.State, "%s State", d.ID)
		if i > 0 {
			require.Greater(t, d.Seq, got[i-1].Seq, "%s Seq increases", d.ID)
		}
		require.True(t, d.LeaseUntil.IsZero(), "%s LeaseUntil", d.ID)
		require.Empty(t, d.Attempts, "%s Attempts", d.ID)
		require.Empty(t, d.DeadReason, "%s DeadReason", d.ID)
	}
	requireTime(t, t0, got[0].CreatedAt, "a1 CreatedAt")
	requireTime(t, t0, got[0].NextAttempt, "a1 NextAttempt defaults to now")
	requireTime(t, t0, got[1].CreatedAt, "b1 CreatedAt")
	requireTime(t, at(time.Second), got[2].CreatedAt, "a2 CreatedAt")
	requireTime(t, at(time.Second), got[2].NextAttempt, "a2 NextAttempt defaults to now")
}

func testEnqueueKeepsFields(t *testing.T, o notify.Outbox) {
	in := NewDelivery("a1", epA, "inst-1/customers")
	in.Events = 7
	in.Trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	enqueue(t, o, t0, in, NewDelivery("a2", epA, ""))

	got := find(t, o, "a1")
	require.Equal(t, in.Endpoint, got.Endpoint)
	require.Equal(t, in.OrderKey, got.OrderKey)
	require.Equal(t, string(in.Key), string(got.Key))
	require.Equal(t, string(in.Body), string(got.Body))
	require.Equal(t, 7, got.Events)
	require.Equal(t, in.Trace, got.Trace, "Trace")
	require.Equal(t, in.Trace, requireClaim(t, o, epA, t0, 1, "a1")[0].Trace, "Trace of a claimed delivery")
	require.Empty(t, find(t, o, "a2").Trace, "a delivery without a trace has none")
}

func testEnqueueKeepsNextAttempt(t *testing.T, o notify.Outbox) {
	d := NewDelivery("later", epA, "")
	d.NextAttempt = at(time.Hour)
	enqueue(t, o, t0, d, NewDelivery("now", epA, ""))

	requireTime(t, at(time.Hour), find(t, o, "later").NextAttempt, "NextAttempt")
	requireClaim(t, o, epA, t0, 10, "now")
	require.NoError(t, o.Ack(t.Context(), "now", notify.Attempt{At: t0, Status: 200}))
	requireClaim(t, o, epA, at(time.Hour-time.Second), 10)
	requireClaim(t, o, epA, at(time.Hour), 10, "later")
}

func testEnqueueBatch(t *testing.T, o notify.Outbox) {
	var batch []notify.Delivery
	var want []string
	for i := range 100 {
		id := fmt.Sprintf("d%03d", i)
		batch = append(batch, NewDelivery(id, []string{epA, epB}[i%2], fmt.Sprintf("k%d", i%5)))
		want = append(want, id)
	}
	enqueue(t, o, t0, batch...)
	require.Equal(t, want, ids(list(t, o, notify.Filter{})))
}

func testEnqueueNothing(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0)
	require.Empty(t, list(t, o, notify.Filter{}))
	require.Empty(t, endpoints(t, o))
}

func testEnqueueDuplicate(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, "k1"))
	orig := find(t, o, "a1")

	again := NewDelivery("a1", epB, "k2")
	again.Body = []byte(`{"second":true}`)
	enqueue(t, o, at(time.Minute), again, NewDelivery("a2", epA, ""))

	got := list(t, o, notify.Filter{})
	require.Equal(t, []string{"a1", "a2"}, ids(got), "the duplicate is skipped, the rest stored")
	d := got[0]
	require.Equal(t, orig.Seq, d.Seq)
	require.Equal(t, epA, d.Endpoint)
	require.Equal(t, "k1", d.OrderKey)
	require.Equal(t, string(orig.Body), string(d.Body))
	requireTime(t, t0, d.CreatedAt, "CreatedAt")
	require.Empty(t, list(t, o, notify.Filter{Endpoint: epB}))
}

func testEnqueueDuplicateInBatch(t *testing.T, o notify.Outbox) {
	first := NewDelivery("a1", epA, "")
	second := NewDelivery("a1", epA, "")
	second.Body = []byte(`{"second":true}`)
	enqueue(t, o, t0, first, second)

	got := list(t, o, notify.Filter{})
	require.Equal(t, []string{"a1"}, ids(got))
	require.Equal(t, string(first.Body), string(got[0].Body), "the first of the batch is kept")
}

func testEnqueueDuplicateDead(t *testing.T, o notify.Outbox) {
	enqueue(t, o, t0, NewDelivery("a1", epA, ""))
	requireClaim(t, o, epA, t0, 1, "a1")
	require.NoError(t, o.DeadLetter(t.Context(), "a1", attempt(t0, 400), "bad request"))

	enqueue(t, o, at(time.Minute), NewDelivery("a1", epA, ""))
	got := find(t, o, "a1")
	require.Equal(t, notify.Dead, got.State, "a dead delivery is held: its id is skipped")
	require.Equal(t, "bad request", got.DeadReason)
	requireClaim(t, o, epA, at(time.Minute), 10)
}

func testEnqueueCopies(t *testing.T, o notify.Outbox) {
	in := NewDelivery("a1", epA, "")
	in.Attempts = []notify.Attempt{attempt(at(-time.Hour), 503)}
	want := NewDelivery("a1", epA, "")
	wantAttempts := []notify.Attempt{attempt(at(-time.Hour), 503)}
	enqueue(t, o, t0, in)

	in.Body[0] = 'X'
	in.Key[0] = 'X'
	in.Attempts[0].Response[0] = 'X'
	in.Attempts[0].Status = 200

	got := find(t, o, "a1")
	require.Equal(t, string(want.Body), string(got.Body))
	require.Equal(t, string(want.Key), string(got.Key))
	requireAttempts(t, wantAttempts, got.Attempts)
}
