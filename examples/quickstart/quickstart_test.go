package main

import (
	"bytes"
	"context"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/signature"
)

// TestQuickstart runs the quickstart's flow and checks what the consumer
// received: exactly the events the story causes, per instance, each in a
// notification whose signatures verify, none twice; and the output, line
// for line, since every run must print the same.
func TestQuickstart(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	sum, err := run(ctx, &out)
	require.NoError(t, err, "output so far:\n%s", out.String())

	// The exact multiset of events: created, updated and deleted per
	// customer, for each instance.
	var got []string
	for _, r := range sum.Received {
		got = append(got, r.InstanceName+" "+string(r.Type)+" "+r.ObjectType+" "+r.ObjectID)
	}
	var want []string
	for _, inst := range []string{"API_POLLING", "API_WEBHOOK"} {
		want = append(want,
			inst+" CREATED customers 3",
			inst+" CREATED customers 4",
			inst+" UPDATED customers 1",
			inst+" UPDATED customers 3",
			inst+" DELETED customers 2",
		)
	}
	slices.Sort(got)
	slices.Sort(want)
	require.Equal(t, want, got)

	// None twice: each event once, each notification once.
	seen := map[string]bool{}
	for _, r := range sum.Received {
		k := r.InstanceID + " " + string(r.Type) + " " + r.ObjectID + " " + r.Date.String()
		require.False(t, seen[k], "event received twice: %s", k)
		seen[k] = true
	}
	ids := map[string]bool{}
	for _, req := range sum.Requests {
		id := req.Header.Get(signature.HeaderWebhookID)
		require.False(t, ids[id], "notification %s received twice", id)
		ids[id] = true
	}

	// Every notification the consumer accepted verifies again, in both
	// schemes, with the key, and not with another key.
	v, err := signature.NewVerifier(signature.VerifierConfig{Keys: []signature.Key{signature.Key(signatureKey)}})
	require.NoError(t, err)
	other, err := signature.NewVerifier(signature.VerifierConfig{Keys: []signature.Key{signature.Key("another key")}})
	require.NoError(t, err)
	require.Len(t, sum.Requests, 8, "3 polling notifications (events batched per poll) and 5 webhook ones")
	for _, req := range sum.Requests {
		h := req.Header
		require.NoError(t, v.VerifyStandard(req.Body, h.Get(signature.HeaderWebhookID),
			h.Get(signature.HeaderWebhookTimestamp), h.Get(signature.HeaderWebhookSignature)))
		require.NoError(t, v.VerifyHMAC(req.Body, h.Get(signature.HeaderElementsSignature)))
		require.ErrorIs(t, other.Verify(req.Body, h), signature.ErrNoMatch)
	}

	// The store is on http, so the Subscriber and the poller signed every
	// request with OAuth 1.0a, and the store, checking as WooCommerce
	// does, took each: the webhooks registered, then the pages.
	var calls []string
	pages := 0
	for _, r := range sum.StoreRequests {
		if r.Resource == "customers" {
			pages++
			continue
		}
		calls = append(calls, r.Method+" "+r.Resource+" "+strconv.Itoa(r.Status))
	}
	require.Equal(t, []string{"GET webhooks 200", "POST webhooks 201", "POST webhooks 201", "POST webhooks 201"}, calls,
		"one list, one webhook created a customer.* topic")
	require.Equal(t, 9, pages, "2 pages at 12:15, 12:30, 12:45 and 13:00, 1 at 12:00")
	nonces := map[string]bool{}
	for _, r := range sum.StoreRequests {
		require.Contains(t, []int{http.StatusOK, http.StatusCreated}, r.Status)
		require.Equal(t, "HMAC-SHA256", r.Query.Get("oauth_signature_method"))
		require.NotEmpty(t, r.Query.Get("oauth_signature"))
		require.Empty(t, r.Header.Get("Authorization"), "no Basic over http")
		require.False(t, nonces[r.Query.Get("oauth_nonce")])
		nonces[r.Query.Get("oauth_nonce")] = true
	}

	require.Equal(t, notify.Stats{Enqueued: 8, Attempts: 9, Delivered: 8, Retried: 1, Dead: 0}, sum.Stats)
	require.Equal(t, wantOutput, out.String())
	requireStopped(t)
}

// wantOutput is the quickstart's output, which must be the same on every
// run.
const wantOutput = `A fake WooCommerce store, two instances of it and a consumer, all on 127.0.0.1.
API_POLLING polls the store's customers every 15m0s; API_WEBHOOK registered the store's customer.* webhooks and gets them.
Store time is a fake clock: the 15m0s between polls pass in an instant.

12:00  API_POLLING polls the store: 2 customers in 1 page, its baseline (no events)
12:01  the store creates customers 3 and 4
       consumer answers 503 (restarting); the Notifier will retry
       got  2026-11-24T12:01:00Z  API_WEBHOOK 102  CREATED  customers 3
       got  2026-11-24T12:01:00Z  API_WEBHOOK 102  CREATED  customers 4
12:15  API_POLLING polls the store
       got  2026-11-24T12:01:00Z  API_POLLING 101  CREATED  customers 3
       got  2026-11-24T12:01:00Z  API_POLLING 101  CREATED  customers 4
       (read 4 customers in 2 pages: 2 CREATED)
12:16  customer 3 changes email; customer 1 moves to Berkeley
       got  2026-11-24T12:16:00Z  API_WEBHOOK 102  UPDATED  customers 3
       got  2026-11-24T12:16:00Z  API_WEBHOOK 102  UPDATED  customers 1
12:30  API_POLLING polls the store
       got  2026-11-24T12:16:00Z  API_POLLING 101  UPDATED  customers 1
       got  2026-11-24T12:16:00Z  API_POLLING 101  UPDATED  customers 3
       (read 4 customers in 2 pages: 2 UPDATED)
12:31  the store deletes customer 2
       got  2026-11-24T12:31:00Z  API_WEBHOOK 102  DELETED  customers 2
12:45  API_POLLING polls the store
       (read 3 customers in 2 pages: nothing new)
13:00  API_POLLING polls the store
       got  2026-11-24T13:00:00Z  API_POLLING 101  DELETED  customers 2
       (read 3 customers in 2 pages: 1 DELETED)

summary: 8 notifications sent (10 events), 8 delivered, 1 retried, 0 failed
`

// requireStopped checks that run left nothing running: no Notifier, no
// server and no connection of its own.
func requireStopped(t *testing.T) {
	t.Helper()
	leftovers := []string{"events.(*Notifier).Run", "net/http.(*Server).Serve", "net/http.(*conn).serve", "net/http.(*persistConn)"}
	deadline := time.Now().Add(2 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		var found []string
		for _, s := range leftovers {
			if strings.Contains(stacks, s) {
				found = append(found, s)
			}
		}
		if len(found) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still running after run returned: %v\n%s", found, stacks)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestFill checks the placeholder filling of instance bodies.
func TestFill(t *testing.T) {
	tests := []struct {
		name, body string
		values     map[string]string
		want       string
		wantErr    string
	}{
		{"plain", `{"a":"<X>"}`, map[string]string{"X": "http://127.0.0.1:1/p"}, `{"a":"http://127.0.0.1:1/p"}`, ""},
		{"escaped for JSON", `{"a":"<X>"}`, map[string]string{"X": `q"\`}, `{"a":"q\"\\"}`, ""},
		{"missing", `{"a":"<X>","b":"<Y>"}`, map[string]string{"X": "x"}, "", "no value for <Y>"},
		{"not a placeholder", `{"a":"<x> < Y>"}`, nil, `{"a":"<x> < Y>"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fill([]byte(tt.body), tt.values)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, string(got))
		})
	}
}
