// Package notifytest is the conformance suite for implementations of
// [notify.Outbox]. Every outbox (the in-memory one, the embedded file
// store, PostgreSQL) runs the same suite, so they are interchangeable
// under the [notify.Notifier].
//
// Run it from a test in the implementation's package, handing it a
// constructor that returns a new, empty outbox:
//
//	func TestOutbox(t *testing.T) {
//		notifytest.Run(t, func(t *testing.T) notify.Outbox {
//			return mystore.Open(t.TempDir())
//		})
//	}
//
// The suite passes fixed times to the outbox and never reads a clock.
package notifytest

import (
	"fmt"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/notify"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/suite"
)

// Run runs the conformance suite against the outboxes newOutbox returns.
//
// Every subtest calls newOutbox once and expects an empty outbox that
// shares nothing with any other it returned. Subtests run in parallel, so
// newOutbox may be called concurrently; it can use t.Cleanup and
// t.TempDir to dispose of what it opens.
func Run(t *testing.T, newOutbox func(t *testing.T) notify.Outbox) {
	t.Helper()
	suite.Run(t, groups, newOutbox)
}

// testCase is one behaviour of the contract, checked on a fresh outbox.
type testCase = suite.Case[notify.Outbox]

// groups holds the suite, one group per part of the contract.
var groups = []suite.Group[notify.Outbox]{
	{Name: "Enqueue", Cases: enqueueCases},
	{Name: "Claim", Cases: claimCases},
	{Name: "OrderKey", Cases: orderKeyCases},
	{Name: "Settle", Cases: settleCases},
	{Name: "List", Cases: listCases},
	{Name: "Endpoints", Cases: endpointsCases},
	{Name: "Concurrency", Cases: concurrencyCases},
}

// NewDelivery returns a delivery ready to enqueue, for tests of outboxes and
// of code that uses them: a small JSON body naming id, a signing key and
// one event. Enqueue sets the rest.
func NewDelivery(id, endpoint, orderKey string) notify.Delivery {
	return notify.Delivery{
		ID:       id,
		Endpoint: endpoint,
		OrderKey: orderKey,
		Key:      []byte("whsec_" + id),
		Body:     fmt.Appendf(nil, `{"message":{"eventId":%q}}`, id),
		Events:   1,
	}
}

// The suite's clock: fixed instants, whole seconds so that stores with
// coarser time precision than Go's still compare equal.
var t0 = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

const (
	epA = "https://a.example.com/hook"
	epB = "https://b.example.com/hook"
	epC = "https://c.example.com/hook"

	lease = time.Minute
)

func at(d time.Duration) time.Time { return t0.Add(d) }

func enqueue(t *testing.T, o notify.Outbox, now time.Time, ds ...notify.Delivery) {
	t.Helper()
	require.NoError(t, o.Enqueue(t.Context(), now, ds...))
}

func claim(t *testing.T, o notify.Outbox, endpoint string, now time.Time, limit int) []notify.Delivery {
	t.Helper()
	ds, err := o.Claim(t.Context(), endpoint, now, lease, limit)
	require.NoError(t, err)
	return ds
}

// requireClaim claims and checks which deliveries came back, in order.
func requireClaim(t *testing.T, o notify.Outbox, endpoint string, now time.Time, limit int, wantIDs ...string) []notify.Delivery {
	t.Helper()
	ds := claim(t, o, endpoint, now, limit)
	require.Equal(t, orEmpty(wantIDs), ids(ds), "claimed at %v", now.Sub(t0))
	return ds
}

func list(t *testing.T, o notify.Outbox, f notify.Filter) []notify.Delivery {
	t.Helper()
	ds, err := o.List(t.Context(), f)
	require.NoError(t, err)
	return ds
}

// find returns the stored delivery id, failing if the outbox lacks it.
func find(t *testing.T, o notify.Outbox, id string) notify.Delivery {
	t.Helper()
	for _, d := range list(t, o, notify.Filter{}) {
		if d.ID == id {
			return d
		}
	}
	require.FailNow(t, "delivery not in the outbox", "id %q", id)
	return notify.Delivery{}
}

func requireAbsent(t *testing.T, o notify.Outbox, id string) {
	t.Helper()
	for _, d := range list(t, o, notify.Filter{}) {
		require.NotEqual(t, id, d.ID, "delivery should have left the outbox")
	}
}

func endpoints(t *testing.T, o notify.Outbox) []notify.EndpointStatus {
	t.Helper()
	es, err := o.Endpoints(t.Context())
	require.NoError(t, err)
	return es
}

// status returns the endpoint's status, failing if it is not reported.
func status(t *testing.T, o notify.Outbox, url string) notify.EndpointStatus {
	t.Helper()
	for _, s := range endpoints(t, o) {
		if s.URL == url {
			return s
		}
	}
	require.FailNow(t, "endpoint not reported", "url %q", url)
	return notify.EndpointStatus{}
}

func ids(ds []notify.Delivery) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// requireTime compares instants, not representations: a store may give
// times back in another location or without a monotonic reading.
func requireTime(t *testing.T, want, got time.Time, field string) {
	t.Helper()
	require.Truef(t, want.Equal(got), "%s: want %v, got %v", field, want, got)
}

// requireAttempts compares attempt histories field by field, for the
// same reason as requireTime, and treats nil and empty bytes alike.
func requireAttempts(t *testing.T, want, got []notify.Attempt) {
	t.Helper()
	require.Len(t, got, len(want), "attempts")
	for i := range want {
		requireTime(t, want[i].At, got[i].At, fmt.Sprintf("Attempts[%d].At", i))
		require.Equal(t, want[i].Status, got[i].Status, "Attempts[%d].Status", i)
		require.Equal(t, want[i].Latency, got[i].Latency, "Attempts[%d].Latency", i)
		require.Equal(t, want[i].Error, got[i].Error, "Attempts[%d].Error", i)
		require.Equal(t, string(want[i].Response), string(got[i].Response), "Attempts[%d].Response", i)
	}
}

// attempt returns a failed attempt made at t, distinct for each t.
func attempt(t time.Time, status int) notify.Attempt {
	return notify.Attempt{
		At:       t,
		Status:   status,
		Latency:  250 * time.Millisecond,
		Error:    fmt.Sprintf("HTTP %d", status),
		Response: fmt.Appendf(nil, `{"error":"status %d at %s"}`, status, t.Format(time.RFC3339)),
	}
}
