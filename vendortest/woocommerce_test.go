package vendortest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/vendorauth"
	"github.com/a12b7632/elementevents/vendortest"
)

// t0 is the fake clock's time in every test.
var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// est is the site's zone of the stores under test.
var est = time.FixedZone("EST", -5*3600)

const (
	key    = "ck_test"
	secret = "cs_test"
)

// newStore serves a store in EST on a fake clock at t0, with customers Cy
// (1), Al (2) and Bo (3), registered an hour before t0.
func newStore(t *testing.T) *vendortest.WooCommerce {
	t.Helper()
	s := vendortest.ServeWooCommerce(t, vendortest.WooConfig{Key: key, Secret: secret, Clock: clockwork.NewFakeClockAt(t0), Site: est})
	for _, name := range []string{"Cy", "Al", "Bo"} {
		s.PutCustomer(vendortest.Customer{FirstName: name, LastName: "Doe", Email: strings.ToLower(name) + "@example.com",
			Created: t0.Add(-time.Hour), Modified: t0.Add(-time.Hour)})
	}
	return s
}

// reply is what a fake answered.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// get asks the fake for path?query with the request's headers set by
// auth, and reads the answer.
func get(t *testing.T, base, path string, auth func(*http.Request)) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+path, nil)
	require.NoError(t, err)
	if auth != nil {
		auth(req)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return reply{resp.StatusCode, resp.Header, body}
}

// signed signs req with OAuth 1.0a as the store's key, which a store
// served on http requires; see signedAs.
func signed(req *http.Request) { signedAs(key, secret)(req) }

// signedAs returns a func that signs a request as a poller does, with the
// consumer key and secret given. Its clock is a day ahead of t0:
// WooCommerce refuses only timestamps more than 15 minutes old, so the
// signature holds however far a test moves the store's clock (less than
// a day).
func signedAs(key, secret string) func(*http.Request) {
	o, err := vendorauth.NewOAuth1(vendorauth.OAuth1Config{ConsumerKey: key, ConsumerSecret: vendorauth.Secret(secret),
		Clock: clockwork.NewFakeClockAt(t0.Add(24 * time.Hour))})
	if err != nil {
		panic(err)
	}
	return func(req *http.Request) {
		if err := o.Sign(req); err != nil {
			panic(err)
		}
	}
}

// withoutOAuth removes the oauth_* parameters that a store's links echo
// from a signed request, as WooCommerce's do.
func withoutOAuth(s string) string {
	return oauthParam.ReplaceAllString(s, "")
}

var oauthParam = regexp.MustCompile(`oauth_[a-z_]+=[^&>]*&?`)

// ids reads the ids of a page.
func ids(t *testing.T, body []byte) []int {
	t.Helper()
	var recs []struct{ ID int }
	require.NoError(t, json.Unmarshal(body, &recs), "%s", body)
	out := []int{}
	for _, r := range recs {
		out = append(out, r.ID)
	}
	return out
}

// wpErr reads a WordPress error body.
func wpErr(t *testing.T, body []byte) (code string, status int) {
	t.Helper()
	var e struct {
		Code    string
		Message string
		Data    struct{ Status int }
	}
	require.NoError(t, json.Unmarshal(body, &e), "%s", body)
	require.NotEmpty(t, e.Message)
	return e.Code, e.Data.Status
}

func TestWooCommerceCustomers(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	tests := []struct {
		name, query          string
		auth                 func(*http.Request)
		wantStatus           int
		wantCode             string // for errors
		wantIDs              []int
		wantTotal, wantPages string
		wantNext, wantPrev   string // the page of each link, "" for none
	}{
		{name: "first page by id", query: "orderby=id&order=asc&page=1&per_page=2", wantStatus: 200,
			wantIDs: []int{1, 2}, wantTotal: "3", wantPages: "2", wantNext: "2"},
		{name: "last page", query: "orderby=id&page=2&per_page=2", wantStatus: 200,
			wantIDs: []int{3}, wantTotal: "3", wantPages: "2", wantPrev: "1"},
		{name: "past the end is empty", query: "orderby=id&page=3&per_page=2", wantStatus: 200,
			wantIDs: []int{}, wantTotal: "3", wantPages: "2", wantPrev: "2"},
		{name: "default order is by name", query: "", wantStatus: 200,
			wantIDs: []int{2, 3, 1}, wantTotal: "3", wantPages: "1"},
		{name: "descending", query: "orderby=id&order=desc", wantStatus: 200,
			wantIDs: []int{3, 2, 1}, wantTotal: "3", wantPages: "1"},
		{name: "registered_date", query: "orderby=registered_date", wantStatus: 200,
			wantIDs: []int{1, 2, 3}, wantTotal: "3", wantPages: "1"},
		{name: "dates filters are for orders only", query: "orderby=id&modified_after=2030-01-01T00:00:00", wantStatus: 200,
			wantIDs: []int{1, 2, 3}, wantTotal: "3", wantPages: "1"},
		{name: "per_page over 100", query: "per_page=101", wantStatus: 400, wantCode: "rest_invalid_param"},
		{name: "page 0", query: "page=0", wantStatus: 400, wantCode: "rest_invalid_param"},
		{name: "page not a number", query: "page=x", wantStatus: 400, wantCode: "rest_invalid_param"},
		{name: "bad orderby", query: "orderby=email", wantStatus: 400, wantCode: "rest_invalid_param"},
		{name: "bad order", query: "order=up", wantStatus: 400, wantCode: "rest_invalid_param"},
		{name: "no credentials", auth: func(*http.Request) {}, wantStatus: 401, wantCode: "woocommerce_rest_cannot_view"},
		{name: "wrong key", auth: signedAs("ck_other", secret),
			wantStatus: 401, wantCode: "woocommerce_rest_authentication_error"},
		{name: "wrong secret", auth: signedAs(key, "cs_other"),
			wantStatus: 401, wantCode: "woocommerce_rest_authentication_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			auth := tt.auth
			if auth == nil {
				auth = signed
			}
			r := get(t, s.URL(), vendortest.WooAPIPath+"/customers?"+tt.query, auth)
			require.Equal(t, tt.wantStatus, r.status, "%s", r.body)
			require.Equal(t, t0.Format(http.TimeFormat), r.header.Get("Date"), "the Date header is the store's clock")
			require.Equal(t, "application/json; charset=UTF-8", r.header.Get("Content-Type"))
			if tt.wantStatus != http.StatusOK {
				code, status := wpErr(t, r.body)
				require.Equal(t, tt.wantCode, code)
				require.Equal(t, tt.wantStatus, status)
				return
			}
			require.Equal(t, tt.wantIDs, ids(t, r.body))
			require.Equal(t, tt.wantTotal, r.header.Get("X-WP-Total"))
			require.Equal(t, tt.wantPages, r.header.Get("X-WP-TotalPages"))
			links := map[string]string{}
			for _, l := range strings.Split(r.header.Get("Link"), ", ") {
				if target, rel, ok := strings.Cut(l, ">; rel="); ok {
					u, err := url.Parse(strings.TrimPrefix(target, "<"))
					require.NoError(t, err)
					require.Equal(t, s.URL()+vendortest.WooAPIPath+"/customers", u.Scheme+"://"+u.Host+u.Path, "links are absolute")
					links[strings.Trim(rel, `"`)] = u.Query().Get("page")
				}
			}
			require.Equal(t, tt.wantNext, links["next"])
			require.Equal(t, tt.wantPrev, links["prev"])
		})
	}
}

func TestWooCommerceRoutes(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	for _, tt := range []struct{ method, path string }{
		{http.MethodGet, "/wp-json/wc/v3/products"},
		{http.MethodGet, "/wp-json/wc/v2/customers"},
		{http.MethodGet, "/"},
		{http.MethodPost, "/wp-json/wc/v3/customers"},
		{http.MethodDelete, "/wp-json/wc/v3/orders"},
	} {
		req, err := http.NewRequestWithContext(t.Context(), tt.method, s.URL()+tt.path, nil)
		require.NoError(t, err)
		signed(req)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusNotFound, resp.StatusCode, "%s %s", tt.method, tt.path)
		code, _ := wpErr(t, body)
		require.Equal(t, "rest_no_route", code)
	}
	require.Equal(t, 5, s.Log().Len(), "refused requests are logged too")
	last, ok := s.Log().Last()
	require.True(t, ok)
	require.Equal(t, http.StatusNotFound, last.Status)
	require.Equal(t, http.MethodDelete, last.Method)
}

// Orders: newest first by default, the date filters in the site's zone or
// in GMT, and a page past the last is an error.
func TestWooCommerceOrders(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	for id := 1; id <= 4; id++ {
		at := t0.Add(time.Duration(id) * time.Hour)
		// Order 1 is modified last, and a fraction after the hour.
		mod := at
		if id == 1 {
			mod = t0.Add(10*time.Hour + 500*time.Millisecond)
		}
		s.PutOrder(vendortest.Order{ID: id, Created: at, Modified: mod})
	}
	tests := []struct {
		name, query string
		wantStatus  int
		wantCode    string
		wantIDs     []int
	}{
		{"newest first by default", "", 200, "", []int{4, 3, 2, 1}},
		{"by date ascending", "order=asc", 200, "", []int{1, 2, 3, 4}},
		{"by modified", "orderby=modified&order=asc", 200, "", []int{2, 3, 4, 1}},
		{"by id", "orderby=id&order=asc", 200, "", []int{1, 2, 3, 4}},
		{"modified_after in the site's zone", "orderby=id&order=asc&modified_after=2026-11-24T09:00:00", 200, "", []int{1, 3, 4}},
		{"modified_after in GMT", "orderby=id&order=asc&dates_are_gmt=true&modified_after=2026-11-24T14:00:00", 200, "", []int{1, 3, 4}},
		{"modified_after with a zone", "orderby=id&order=asc&modified_after=2026-11-24T14:00:00Z", 200, "", []int{1, 3, 4}},
		{"modified_after is strict, to the second", "orderby=id&order=asc&dates_are_gmt=1&modified_after=2026-11-24T22:00:00", 200, "", []int{}},
		{"modified_before", "orderby=id&order=asc&dates_are_gmt=1&modified_before=2026-11-24T15:00:01", 200, "", []int{2, 3}},
		{"after and before", "orderby=id&order=asc&dates_are_gmt=1&after=2026-11-24T13:00:00&before=2026-11-24T16:00:00", 200, "", []int{2, 3}},
		{"bad date", "modified_after=yesterday", 400, "rest_invalid_param", nil},
		{"bad orderby", "orderby=name", 400, "rest_invalid_param", nil},
		{"past the last page", "page=2", 400, "rest_post_invalid_page_number", nil},
		{"past the end of nothing is empty", "page=2&after=2030-01-01T00:00:00", 200, "", []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := get(t, s.URL(), vendortest.WooAPIPath+"/orders?"+tt.query, signed)
			require.Equal(t, tt.wantStatus, r.status, "%s", r.body)
			if tt.wantStatus != http.StatusOK {
				code, _ := wpErr(t, r.body)
				require.Equal(t, tt.wantCode, code)
				return
			}
			require.Equal(t, tt.wantIDs, ids(t, r.body))
		})
	}
}

// Record is byte for byte what a page holds, with WooCommerce's shapes:
// dates in the site's zone and in GMT, null when never modified, slashes
// escaped, _links on the store's URL.
func TestWooCommerceRecord(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	c := s.PutCustomer(vendortest.Customer{ID: 7, Email: "eve@example.com", Created: t0.Add(-time.Hour)})
	require.Equal(t, "customer", c.Role)
	require.Equal(t, "eve", c.Username)
	o := s.PutOrder(vendortest.Order{ID: 9, Created: t0, Paid: t0.Add(time.Minute)})
	require.Equal(t, t0, o.Modified, "an order is modified when created")
	require.Equal(t, "9", o.Number)

	raw, ok := s.Record("customers", 7)
	require.True(t, ok)
	page := get(t, s.URL(), vendortest.WooAPIPath+"/customers?orderby=id&order=desc&per_page=1", signed)
	require.Equal(t, "["+string(raw)+"]", string(page.body))
	var got map[string]any
	require.NoError(t, json.Unmarshal(raw, &got))
	require.Equal(t, "2026-11-24T06:00:00", got["date_created"], "in the site's zone")
	require.Equal(t, "2026-11-24T11:00:00", got["date_created_gmt"])
	require.Nil(t, got["date_modified"])
	require.Nil(t, got["date_modified_gmt"])
	require.Contains(t, string(raw), `"href":"`+strings.ReplaceAll(s.URL()+vendortest.WooAPIPath, "/", `\/`)+`\/customers\/7"`)
	for _, field := range []string{"billing", "shipping", "meta_data", "avatar_url", "is_paying_customer", "role", "username"} {
		require.Contains(t, got, field)
	}

	raw, ok = s.Record("orders", 9)
	require.True(t, ok)
	require.NoError(t, json.Unmarshal(raw, &got))
	require.Equal(t, "2026-11-24T12:01:00", got["date_paid_gmt"])
	require.Equal(t, []any{}, got["line_items"])
	require.Equal(t, "pending", got["status"])

	_, ok = s.Record("orders", 10)
	require.False(t, ok)
	_, ok = s.Record("products", 9)
	require.False(t, ok)
	_, ok = s.Customer(9)
	require.False(t, ok, "orders and customers have ids of their own")
}

// An update dates the customer on the store's clock; PutCustomer changes
// one without dating it.
func TestWooCommerceChanges(t *testing.T) {
	t.Parallel()
	clock := clockwork.NewFakeClockAt(t0)
	s := vendortest.ServeWooCommerce(t, vendortest.WooConfig{Key: key, Secret: secret, Clock: clock})
	s.PutCustomer(vendortest.Customer{ID: 5, Email: "a@example.com", Created: t0.Add(-time.Hour)})
	next := s.PutCustomer(vendortest.Customer{Email: "b@example.com"})
	require.Equal(t, 6, next.ID, "the next id after the highest")
	require.Equal(t, t0, next.Created, "created now when not given")

	clock.Advance(time.Minute)
	c, err := s.UpdateCustomer(t.Context(), 5, func(c *vendortest.Customer) { c.Email = "new@example.com" })
	require.NoError(t, err)
	require.Equal(t, t0.Add(time.Minute), c.Modified)
	require.Equal(t, t0.Add(-time.Hour), c.Created)

	c.Email = "silent@example.com"
	s.PutCustomer(c)
	got, ok := s.Customer(5)
	require.True(t, ok)
	require.Equal(t, "silent@example.com", got.Email)
	require.Equal(t, t0.Add(time.Minute), got.Modified, "Put does not date the change")

	require.NoError(t, s.Delete(t.Context(), "customers", 6))
	c, err = s.CreateCustomer(t.Context(), vendortest.Customer{Email: "c@example.com"})
	require.NoError(t, err)
	require.Equal(t, 7, c.ID, "ids are not reused")
}

func TestNewWooCommerce(t *testing.T) {
	t.Parallel()
	for _, cfg := range []vendortest.WooConfig{{}, {Key: "ck"}, {Secret: "cs"}} {
		_, err := vendortest.NewWooCommerce(cfg)
		require.ErrorIs(t, err, vendortest.ErrConfig)
		require.ErrorContains(t, err, "WooConfig.Key")
	}
	s, err := vendortest.NewWooCommerce(vendortest.WooConfig{Key: "ck", Secret: "cs"})
	require.NoError(t, err)
	require.Equal(t, strings.TrimSuffix("https://store.example.com/", "/"), s.URL(), "until told its URL")
	s.SetURL("http://127.0.0.1:9/shop/")
	require.Equal(t, "http://127.0.0.1:9/shop", s.URL())
	require.Equal(t, "http://127.0.0.1:9/shop"+vendortest.WooAPIPath, s.URL()+vendortest.WooAPIPath)
	s.Close()
	s.Close()
}

// A store mounted under a path links back under it.
func TestWooCommerceUnderPrefix(t *testing.T) {
	t.Parallel()
	s, err := vendortest.NewWooCommerce(vendortest.WooConfig{Key: key, Secret: secret, Clock: clockwork.NewFakeClockAt(t0)})
	require.NoError(t, err)
	for range 3 {
		s.PutCustomer(vendortest.Customer{Email: "x@example.com"})
	}
	mux := http.NewServeMux()
	mux.Handle("/shop-7/", http.StripPrefix("/shop-7", s))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.SetURL(srv.URL + "/shop-7")
	r := get(t, s.URL(), vendortest.WooAPIPath+"/customers?per_page=2", signed)
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, withoutOAuth(r.header.Get("Link")), "<"+s.URL()+vendortest.WooAPIPath+"/customers?page=2&per_page=2>")
	require.Contains(t, string(r.body), strings.ReplaceAll(s.URL()+vendortest.WooAPIPath, "/", `\/`))
}
