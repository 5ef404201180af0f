package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/signature"
)

func newTestStore(t *testing.T) (*store, *httptest.Server) {
	t.Helper()
	s := newStore(clockwork.NewFakeClockAt(storeStart), time.UTC, "ck", "cs")
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.setHome(srv.URL)
	for _, name := range []string{"Cy", "Al", "Bo"} {
		s.addCustomer(name, "Doe", strings.ToLower(name)+"@example.com", "Oakland", storeStart.Add(-time.Hour))
	}
	return s, srv
}

// TestStoreCustomers checks the store's REST API against what the
// woocommercerest definition and the poller expect of WooCommerce.
func TestStoreCustomers(t *testing.T) {
	_, srv := newTestStore(t)
	tests := []struct {
		name, query          string
		noAuth               bool
		wantStatus           int
		wantIDs              []int
		wantTotal, wantPages string
		wantLink             string
	}{
		{name: "first page by id", query: "orderby=id&order=asc&page=1&per_page=2", wantStatus: 200,
			wantIDs: []int{1, 2}, wantTotal: "3", wantPages: "2", wantLink: `rel="next"`},
		{name: "last page", query: "orderby=id&page=2&per_page=2", wantStatus: 200,
			wantIDs: []int{3}, wantTotal: "3", wantPages: "2", wantLink: `rel="prev"`},
		{name: "past the end", query: "orderby=id&page=3&per_page=2", wantStatus: 200,
			wantIDs: []int{}, wantTotal: "3", wantPages: "2"},
		{name: "default order is by name", query: "", wantStatus: 200,
			wantIDs: []int{2, 3, 1}, wantTotal: "3", wantPages: "1"},
		{name: "descending", query: "orderby=id&order=desc", wantStatus: 200,
			wantIDs: []int{3, 2, 1}, wantTotal: "3", wantPages: "1"},
		{name: "per_page over 100", query: "per_page=101", wantStatus: 400},
		{name: "bad orderby", query: "orderby=email", wantStatus: 400},
		{name: "no credentials", noAuth: true, wantStatus: 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/wp-json/wc/v3/customers?"+tt.query, nil)
			require.NoError(t, err)
			if !tt.noAuth {
				req.SetBasicAuth("ck", "cs")
			}
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, tt.wantStatus, resp.StatusCode, "%s", body)
			require.Equal(t, storeStart.Format(http.TimeFormat), resp.Header.Get("Date"), "the Date header is the store's clock")
			if tt.wantStatus != http.StatusOK {
				var e struct{ Code, Message string }
				require.NoError(t, json.Unmarshal(body, &e))
				require.NotEmpty(t, e.Code)
				return
			}
			var list []customer
			require.NoError(t, json.Unmarshal(body, &list))
			ids := []int{}
			for _, c := range list {
				ids = append(ids, c.ID)
				require.Equal(t, "2026-11-24T11:00:00", c.DateCreatedGMT)
				require.Equal(t, c.DateCreatedGMT, c.DateModifiedGMT)
			}
			require.Equal(t, tt.wantIDs, ids)
			require.Equal(t, tt.wantTotal, resp.Header.Get("X-WP-Total"))
			require.Equal(t, tt.wantPages, resp.Header.Get("X-WP-TotalPages"))
			require.Contains(t, resp.Header.Get("Link"), tt.wantLink)
			if len(list) > 0 {
				require.Contains(t, string(body), `"avatar_url":"https:\/\/`, "slashes escaped as WordPress does")
			}
		})
	}
}

// TestStoreWebhooks checks that the store pings a webhook when it is
// added, refuses one whose URL does not answer the ping, and signs each
// delivery over the exact bytes sent.
func TestStoreWebhooks(t *testing.T) {
	s, _ := newTestStore(t)
	var mu sync.Mutex
	var got []*http.Request
	var bodies [][]byte
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, b)
		mu.Unlock()
	}))
	defer hook.Close()
	refusing := httptest.NewServer(http.NotFoundHandler())
	defer refusing.Close()

	require.ErrorContains(t, s.addWebhook(t.Context(), "customer.created", refusing.URL, "x"), "did not accept the ping")
	for _, topic := range []string{"customer.created", "customer.deleted"} {
		require.NoError(t, s.addWebhook(t.Context(), topic, hook.URL, "wc-secret"))
	}
	id, err := s.createCustomer(t.Context(), "Ada", "Lovelace", "ada@example.com", "Oakland")
	require.NoError(t, err)
	require.Equal(t, 4, id)
	require.NoError(t, s.updateCustomer(t.Context(), id, func(c *customer) { c.Email = "x@example.com" })) // no webhook for updated
	require.NoError(t, s.deleteCustomer(t.Context(), id))
	require.Error(t, s.deleteCustomer(t.Context(), id))

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 4, "two pings, one created, one deleted")
	require.Equal(t, "webhook_id=1", string(bodies[0]))
	require.Empty(t, got[0].Header.Get("X-WC-Webhook-Signature"), "the ping is not signed")
	v := signature.NewVerifier([]byte("wc-secret"))
	for i, topic := range map[int]string{2: "customer.created", 3: "customer.deleted"} {
		h := got[i].Header
		require.Equal(t, topic, h.Get("X-WC-Webhook-Topic"))
		resource, event, _ := strings.Cut(topic, ".")
		require.Equal(t, resource, h.Get("X-WC-Webhook-Resource"))
		require.Equal(t, event, h.Get("X-WC-Webhook-Event"))
		require.Len(t, h.Get("X-WC-Webhook-Delivery-ID"), 32)
		require.NotEmpty(t, h.Get("X-WC-Webhook-ID"))
		require.True(t, strings.HasSuffix(h.Get("X-WC-Webhook-Source"), "/"))
		require.NoError(t, v.VerifyHMAC(bodies[i], h.Get("X-WC-Webhook-Signature"), signature.Base64))
	}
	require.JSONEq(t, `{"id":4}`, string(bodies[3]), "customer.deleted carries only the id")
	var c customer
	require.NoError(t, json.Unmarshal(bodies[2], &c))
	require.Equal(t, "ada@example.com", c.Email)
}
