package vendortest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/vendortest"
)

// fiveCustomers serves a store with customers 1 to 5, two a page in the
// requests of the fault tests.
func fiveCustomers(t *testing.T, clock clockwork.Clock) *vendortest.WooCommerce {
	t.Helper()
	s := vendortest.ServeWooCommerce(t, vendortest.WooConfig{Key: key, Secret: secret, Clock: clock})
	for range 5 {
		s.PutCustomer(vendortest.Customer{Email: "c@example.com", Created: t0.Add(-time.Hour)})
	}
	return s
}

func pagePath(page string) string {
	return vendortest.WooAPIPath + "/customers?orderby=id&order=asc&per_page=2&page=" + page
}

// TestWooCommerceFaults asks for pages 1, 2, 2, 3 and 2 again with one
// fault injected, and checks each answer.
func TestWooCommerceFaults(t *testing.T) {
	t.Parallel()
	// answer is what one request got: its status, and the ids of a 200,
	// or "!" when its body is not JSON.
	type answer struct {
		status int
		ids    string
	}
	ok := func(ids string) answer { return answer{200, ids} }
	pages := []string{"1", "2", "2", "3", "2"}
	normal := []answer{ok("1,2"), ok("3,4"), ok("3,4"), ok("5"), ok("3,4")}
	tests := []struct {
		name  string
		fault vendortest.Fault
		want  []answer
		// header checks a header of the faulty answer (the first one).
		header  func(t *testing.T, h http.Header)
		pending int // faults left after the requests
	}{
		{name: "none", want: normal},
		{name: "500 once on page 2", fault: vendortest.Fault{Page: 2, Status: 500},
			want: []answer{ok("1,2"), {500, ""}, ok("3,4"), ok("5"), ok("3,4")}},
		{name: "503 twice on page 2", fault: vendortest.Fault{Page: 2, Status: 503, Times: 2},
			want: []answer{ok("1,2"), {503, ""}, {503, ""}, ok("5"), ok("3,4")}},
		{name: "429 with Retry-After on every page, always",
			fault:   vendortest.Fault{Status: 429, RetryAfter: "30", Times: -1},
			want:    []answer{{429, ""}, {429, ""}, {429, ""}, {429, ""}, {429, ""}},
			header:  func(t *testing.T, h http.Header) { require.Equal(t, "30", h.Get("Retry-After")) },
			pending: 1},
		{name: "another resource's fault", fault: vendortest.Fault{Resource: "orders", Status: 500}, want: normal, pending: 1},
		{name: "this resource's fault", fault: vendortest.Fault{Resource: "customers", Status: 404},
			want: []answer{{404, ""}, ok("3,4"), ok("3,4"), ok("5"), ok("3,4")}},
		{name: "empty page", fault: vendortest.Fault{Page: 3, Empty: true},
			want: []answer{ok("1,2"), ok("3,4"), ok("3,4"), ok(""), ok("3,4")}},
		{name: "overlap on every page", fault: vendortest.Fault{Overlap: true, Times: -1},
			want: []answer{ok("1,2"), ok("2,3,4"), ok("2,3,4"), ok("4,5"), ok("2,3,4")}, pending: 1},
		{name: "no totals", fault: vendortest.Fault{Page: 1, NoTotals: true}, want: normal,
			header: func(t *testing.T, h http.Header) {
				require.Empty(t, h.Values("X-WP-Total"))
				require.Empty(t, h.Values("X-WP-TotalPages"))
			}},
		{name: "truncated JSON", fault: vendortest.Fault{Page: 2, Truncate: true},
			want: []answer{ok("1,2"), ok("!"), ok("3,4"), ok("5"), ok("3,4")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := fiveCustomers(t, clockwork.NewFakeClockAt(t0))
			s.Inject(tt.fault)
			var got []answer
			for i, p := range pages {
				r := get(t, s.URL(), pagePath(p), signed)
				a := answer{status: r.status}
				if r.status == http.StatusOK {
					if recs, err := idsOf(r.body); err != nil {
						a.ids = "!"
					} else {
						a.ids = recs
					}
				} else {
					code, status := wpErr(t, r.body)
					require.Equal(t, "vendortest_fault", code)
					require.Equal(t, r.status, status)
				}
				got = append(got, a)
				if i == 0 && tt.header != nil {
					tt.header(t, r.header)
				}
			}
			require.Equal(t, tt.want, got)
			pending := s.TakeFaults()
			require.Len(t, pending, tt.pending)
			faulted := 0
			for _, rq := range s.Log().Since(0) {
				if rq.Fault != nil {
					faulted++
					f := *rq.Fault
					f.Times = tt.fault.Times // the log has the Times it had left
					require.Equal(t, tt.fault, f, "the log names the fault")
				}
			}
			if tt.fault != (vendortest.Fault{}) && tt.fault.Resource != "orders" {
				require.Positive(t, faulted)
			}
			require.Empty(t, s.TakeFaults(), "taken once, the faults are gone")
		})
	}
}

// idsOf reads the ids of a page as "1,2".
func idsOf(body []byte) (string, error) {
	var recs []struct{ ID int }
	if err := json.Unmarshal(body, &recs); err != nil {
		return "", err
	}
	var out []string
	for _, r := range recs {
		out = append(out, strconv.Itoa(r.ID))
	}
	return strings.Join(out, ","), nil
}

// A cut connection is an error of the client's read, not a status.
func TestWooCommerceFaultCut(t *testing.T) {
	t.Parallel()
	s := fiveCustomers(t, clockwork.NewFakeClockAt(t0))
	s.Inject(vendortest.Fault{Page: 1, Cut: true})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL()+pagePath("1"), nil)
	require.NoError(t, err)
	signed(req)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	_, err = io.ReadAll(resp.Body)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

// A Hang answers nothing until the client gives up; a Delay waits on the
// store's clock. OnRequest sees both before they hold the request.
func TestWooCommerceFaultHangAndDelay(t *testing.T) {
	t.Parallel()
	clock := clockwork.NewFakeClockAt(t0)
	seen := make(chan vendortest.LoggedRequest, 4)
	s := vendortest.ServeWooCommerce(t, vendortest.WooConfig{Key: key, Secret: secret, Clock: clock,
		OnRequest: func(r vendortest.LoggedRequest) { seen <- r }})
	s.PutCustomer(vendortest.Customer{Email: "c@example.com", Created: t0.Add(-time.Hour)})
	s.Inject(vendortest.Fault{Page: 1, Hang: true}, vendortest.Fault{Page: 1, Delay: 30 * time.Second})

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+pagePath("1"), nil)
		signed(req)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	r := <-seen
	require.True(t, r.Fault.Hang)
	require.Equal(t, 1, r.Page)
	require.Zero(t, r.Status, "not answered yet")
	select {
	case err := <-done:
		t.Fatalf("a hanging request was answered: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)

	answered := make(chan reply, 1)
	go func() { answered <- get(t, s.URL(), pagePath("1"), signed) }()
	r = <-seen
	require.Equal(t, 30*time.Second, r.Fault.Delay)
	require.NoError(t, clock.BlockUntilContext(t.Context(), 1), "the delay waits on the store's clock")
	clock.Advance(30*time.Second - time.Nanosecond)
	select {
	case <-answered:
		t.Fatal("answered before the delay was over")
	case <-time.After(20 * time.Millisecond):
	}
	clock.Advance(time.Nanosecond)
	a := <-answered
	require.Equal(t, http.StatusOK, a.status)
	require.Equal(t, t0.Add(30*time.Second).Format(http.TimeFormat), a.header.Get("Date"), "the Date is when it answers")

	require.Eventually(t, func() bool { return s.Log().Len() == 2 }, 5*time.Second, time.Millisecond)
	log := s.Log().Since(0)
	require.Zero(t, log[0].Status, "the hanging request was never answered")
	require.Equal(t, t0, log[1].At, "logged as it arrived")
	require.Equal(t, http.StatusOK, log[1].Status)
}

// Closing the store ends a hanging request, so that a test's server
// closes.
func TestWooCommerceCloseEndsHang(t *testing.T) {
	t.Parallel()
	hung := make(chan struct{}, 1)
	s := vendortest.ServeWooCommerce(t, vendortest.WooConfig{Key: key, Secret: secret, Clock: clockwork.NewFakeClockAt(t0),
		OnRequest: func(vendortest.LoggedRequest) { hung <- struct{}{} }})
	s.Inject(vendortest.Fault{Hang: true, Times: -1})
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, err := http.NewRequest(http.MethodGet, s.URL()+pagePath("1"), nil)
		if err != nil {
			return
		}
		signed(req)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	<-hung
	s.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the hanging request")
	}
	require.Eventually(t, func() bool { return s.Log().Len() == 1 }, 5*time.Second, time.Millisecond)
	last, _ := s.Log().Last()
	require.Zero(t, last.Status)
}

// OnRequest may change the store: the page it is called for shows the
// change. It runs once per request, concurrently.
func TestWooCommerceOnRequestChanges(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		pages []int
		s     *vendortest.WooCommerce
	)
	s = vendortest.ServeWooCommerce(t, vendortest.WooConfig{Key: key, Secret: secret, Clock: clockwork.NewFakeClockAt(t0),
		OnRequest: func(r vendortest.LoggedRequest) {
			mu.Lock()
			pages = append(pages, r.Page)
			mu.Unlock()
			if r.Page == 2 {
				s.PutCustomer(vendortest.Customer{ID: 100, Email: "late@example.com"})
			}
		}})
	for range 3 {
		s.PutCustomer(vendortest.Customer{Email: "c@example.com", Created: t0.Add(-time.Hour)})
	}
	r1 := get(t, s.URL(), pagePath("1"), signed)
	require.Equal(t, "3", r1.header.Get("X-WP-Total"))
	r2 := get(t, s.URL(), pagePath("2"), signed)
	require.Equal(t, "4", r2.header.Get("X-WP-Total"), "the change is on the page it was made for")
	ids, err := idsOf(r2.body)
	require.NoError(t, err)
	require.Equal(t, "3,100", ids)
	get(t, s.URL(), pagePath("1"), nil) // refused: no OnRequest
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []int{1, 2}, pages)
	log := s.Log().Since(0)
	require.Len(t, log, 3)
	require.Equal(t, []string{"1", "2"}, log[0].IDs)
	require.Equal(t, []string{"3", "100"}, log[1].IDs)
	require.Equal(t, s.URL()+vendortest.WooAPIPath+"/customers?order=asc&orderby=id&page=2&per_page=2", withoutOAuth(log[0].Next))
	require.Empty(t, log[1].Next, "the last page")
	require.Equal(t, "customers", log[2].Resource)
	require.Equal(t, http.StatusUnauthorized, log[2].Status)
}
