package notify_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
)

// endpointHook is a Config.Endpoint whose answers the test changes, and
// which records the instances it is asked about.
type endpointHook struct {
	mu    sync.Mutex
	eps   map[string]events.Endpoint
	asked []string
}

func (h *endpointHook) set(instance string, ep events.Endpoint) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.eps == nil {
		h.eps = map[string]events.Endpoint{}
	}
	h.eps[instance] = ep
}

func (h *endpointHook) endpoint(instance string) (events.Endpoint, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.asked = append(h.asked, instance)
	ep, ok := h.eps[instance]
	return ep, ok
}

func (h *endpointHook) instances() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.asked...)
}

// A delivery published to A with key K1 whose first attempt failed goes,
// once the instance's endpoint changed, to B signed with K2, with the same
// id; while the hook says false, it stays with A and K1.
func TestNotifierEndpointAtAttempt(t *testing.T) {
	t.Parallel()
	k1, k2 := []byte("callback-key-one"), []byte("callback-key-two")
	tests := []struct {
		name    string
		change  bool // the hook gives B and K2 after the first attempt
		wantA   int  // attempts A receives
		wantB   int
		wantKey []byte // the key of the delivered attempt
	}{
		{name: "changed endpoint and key", change: true, wantA: 1, wantB: 1, wantKey: k2},
		{name: "hook says false", wantA: 2, wantKey: k1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hook := &endpointHook{}
			var mu sync.Mutex
			var attempted []string
			n, clock := setup(t, notify.Config{Endpoint: hook.endpoint, OnAttempt: func(i notify.AttemptInfo) {
				mu.Lock()
				defer mu.Unlock()
				attempted = append(attempted, i.Endpoint)
			}})
			a := newReceiver(t, clock, func(i int, w http.ResponseWriter, _ *http.Request) {
				if i == 1 {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				w.WriteHeader(http.StatusOK)
			})
			b := newReceiver(t, clock, status(http.StatusOK))
			publish(t, n, batch(a.URL+"/a", k1, evt("customers", "42", events.Created, `{"id":42}`)))
			drive(t, n, clock, func() bool { return n.Stats().Attempts == 1 })
			if tt.change {
				hook.set("123", events.Endpoint{URL: b.URL + "/b", Key: k2})
			}
			hook.set("other", events.Endpoint{URL: b.URL + "/other", Key: k2})
			drive(t, n, clock, func() bool { return n.Stats().Delivered == 1 })

			gotA, gotB := a.got(), b.got()
			require.Len(t, gotA, tt.wantA)
			require.Len(t, gotB, tt.wantB)
			require.NoError(t, verifier(clockOf(gotA[0].at), k1).Verify(gotA[0].body, gotA[0].header), "the first attempt went to A with K1")
			last := append(gotA, gotB...)[len(gotA)+len(gotB)-1]
			require.Equal(t, gotA[0].header.Get("webhook-id"), last.header.Get("webhook-id"), "one id")
			require.Equal(t, gotA[0].body, last.body)
			require.NoError(t, verifier(clockOf(last.at), tt.wantKey).Verify(last.body, last.header))
			other := k1
			if string(tt.wantKey) == string(k1) {
				other = k2
			}
			require.Error(t, verifier(clockOf(last.at), other).Verify(last.body, last.header), "signed with one key only")

			require.Equal(t, []string{"123", "123"}, hook.instances(), "asked once an attempt, for the delivery's instance")
			wantAttempted := []string{a.URL + "/a", a.URL + "/a"}
			if tt.change {
				wantAttempted[1] = b.URL + "/b"
			}
			mu.Lock()
			require.Equal(t, wantAttempted, attempted, "AttemptInfo.Endpoint is the URL attempted")
			mu.Unlock()
			pending, err := n.Outbox().List(t.Context(), notify.Filter{})
			require.NoError(t, err)
			require.Empty(t, pending)
		})
	}
}

// The SSRF guard applies to the endpoint the hook gives: a loopback URL
// it refuses is never reached, and the delivery is dead-lettered.
func TestNotifierEndpointGuarded(t *testing.T) {
	t.Parallel()
	allowed, allowedHits := countingServer(t, "tcp4", nil)
	internal, internalHits := countingServer(t, "tcp4", nil)
	hook := &endpointHook{}
	hook.set("123", events.Endpoint{URL: internal.URL + "/admin", Key: key})
	n, err := notify.New(notify.Config{Clock: newFake(), Logger: discardLogger(), Endpoint: hook.endpoint,
		Policy: notify.DeliveryPolicy{Guard: exactly(allowed)}})
	require.NoError(t, err)
	ctx := t.Context()
	go func() { _ = n.Run(ctx) }()
	publish(t, n, batch(allowed.URL+"/cb", key, evt("customers", "1", events.Created, "")))
	require.Eventually(t, func() bool { return n.Stats().Dead == 1 }, 5*time.Second, time.Millisecond)
	require.Zero(t, internalHits.Load(), "the hook's loopback URL was reached")
	require.Zero(t, allowedHits.Load(), "the stored URL was attempted")
	dead, err := n.Outbox().List(ctx, notify.Filter{State: notify.Dead})
	require.NoError(t, err)
	require.Len(t, dead, 1)
	require.Contains(t, dead[0].DeadReason, "netguard: refused")
	require.Equal(t, allowed.URL+"/cb", dead[0].Endpoint, "the outbox keeps the stored endpoint")
}

// DeliveryInstance reads the instance from the OrderKey Publish writes.
func TestDeliveryInstance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, orderKey, want string
	}{
		{name: "events", orderKey: "123\x00customers", want: "123"},
		{name: "status", orderKey: "123\x00", want: "123"},
		{name: "no instance", orderKey: "", want: ""},
		{name: "not from Publish", orderKey: "customers", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, notify.DeliveryInstance(notify.Delivery{OrderKey: tt.orderKey}))
		})
	}
}

// Publish writes the OrderKey DeliveryInstance reads.
func TestDeliveryInstanceOfPublished(t *testing.T) {
	t.Parallel()
	n, err := notify.New(notify.Config{Clock: newFake(), Logger: discardLogger(), Policy: notify.DeliveryPolicy{Guard: netguard.Guard{AllowPrivate: true}}})
	require.NoError(t, err)
	b := batch("https://app.example.com/cb", key, evt("customers", "1", events.Created, ""))
	b.Instance.ID = "inst-9"
	publish(t, n, b)
	ds, err := n.Outbox().List(t.Context(), notify.Filter{})
	require.NoError(t, err)
	require.Len(t, ds, 1)
	require.Equal(t, "inst-9", notify.DeliveryInstance(ds[0]))
}
