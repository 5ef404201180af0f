package poller_test

// End-to-end tests of the Poller against a fake SAP Concur Expense v3
// reports endpoint served by httptest: Items and an absolute NextPage,
// bearer auth, string ids, and .NET-style dates with a variable number of
// fraction digits. The instance takes the concur definition's default
// "reports" resource. Shared helpers are in e2e_woocommerce_test.go.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
)

const (
	e2eConcurToken      = "eyJhbGciOiJSUzI1NiJ9.e2e-concur.c2lnbmF0dXJl"
	e2eConcurInstanceID = "concur-9"
	e2eConcurPath       = "/api/v3.0/expense/reports"
)

// e2eConcurDate writes t as Concur does (.NET "FFF"): milliseconds with
// trailing zeros dropped, and no fraction at all on a whole second.
func e2eConcurDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.999") }

// e2eConcurReport is a report as GET /api/v3.0/expense/reports lists it.
type e2eConcurReport struct {
	ID                    string  `json:"ID"`
	Name                  string  `json:"Name"`
	Total                 float64 `json:"Total"`
	CurrencyCode          string  `json:"CurrencyCode"`
	Country               string  `json:"Country"`
	CountrySubdivision    *string `json:"CountrySubdivision"`
	CreateDate            string  `json:"CreateDate"`
	SubmitDate            *string `json:"SubmitDate"`
	ProcessingPaymentDate *string `json:"ProcessingPaymentDate"`
	PaidDate              *string `json:"PaidDate"`
	UserDefinedDate       string  `json:"UserDefinedDate"`
	LastComment           string  `json:"LastComment"`
	OwnerLoginID          string  `json:"OwnerLoginID"`
	OwnerName             string  `json:"OwnerName"`
	ApproverLoginID       string  `json:"ApproverLoginID"`
	ApproverName          string  `json:"ApproverName"`
	ApprovalStatusName    string  `json:"ApprovalStatusName"`
	ApprovalStatusCode    string  `json:"ApprovalStatusCode"`
	PaymentStatusName     string  `json:"PaymentStatusName"`
	PaymentStatusCode     string  `json:"PaymentStatusCode"`
	LastModifiedDate      string  `json:"LastModifiedDate"`
	PersonalAmount        float64 `json:"PersonalAmount"`
	AmountDueEmployee     float64 `json:"AmountDueEmployee"`
	AmountDueCompanyCard  float64 `json:"AmountDueCompanyCard"`
	TotalClaimedAmount    float64 `json:"TotalClaimedAmount"`
	TotalApprovedAmount   float64 `json:"TotalApprovedAmount"`
	LedgerName            string  `json:"LedgerName"`
	PolicyID              string  `json:"PolicyID"`
	EverSentBack          bool    `json:"EverSentBack"`
	HasException          bool    `json:"HasException"`
	WorkflowActionURL     string  `json:"WorkflowActionURL"`
	URI                   string  `json:"URI"`

	created, modified time.Time
}

// e2eConcurRequest is a request the fake Concur saw.
type e2eConcurRequest struct {
	at     time.Time
	url    string // path and query as sent
	query  url.Values
	status int
	served int
	next   string // the NextPage sent, "" for null
}

// e2eConcurAPI is a fake Concur: reports filtered by modifiedDateAfter
// (GMT), at most maxLimit a page whatever limit asks, an opaque offset in
// an absolute NextPage, bearer auth, and a Date header from the fake clock.
type e2eConcurAPI struct {
	mu       sync.Mutex
	clock    *e2eClock
	token    string
	maxLimit int
	reports  map[string]*e2eConcurReport
	requests []e2eConcurRequest
}

func newE2EConcurAPI(t *testing.T, clock *e2eClock) (*e2eConcurAPI, *httptest.Server) {
	t.Helper()
	c := &e2eConcurAPI{clock: clock, token: e2eConcurToken, maxLimit: 2, reports: map[string]*e2eConcurReport{}}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return c, srv
}

// put creates or replaces a report.
func (c *e2eConcurAPI) put(id, name string, created, modified time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reports[id] = &e2eConcurReport{
		ID: id, Name: name, Total: 245.5, CurrencyCode: "USD", Country: "US",
		CreateDate: e2eConcurDate(created), UserDefinedDate: created.UTC().Format("2006-01-02T00:00:00"),
		OwnerLoginID: "jo.doe@example.com", OwnerName: "Doe, Jo",
		ApproverLoginID: "pat.roe@example.com", ApproverName: "Roe, Pat",
		ApprovalStatusName: "Not Submitted", ApprovalStatusCode: "A_NOTF",
		PaymentStatusName: "Not Paid", PaymentStatusCode: "P_NOTP",
		LastModifiedDate:  e2eConcurDate(modified),
		AmountDueEmployee: 245.5, TotalClaimedAmount: 245.5, TotalApprovedAmount: 245.5,
		LedgerName: "DEFAULT", PolicyID: "gWgAAw5UDYu8D4l7Pv$p5bk$pe6FsRHYxkbA",
		URI:     "https://us.api.concursolutions.com/api/v3.0/expense/reports/" + id,
		created: created, modified: modified,
	}
}

// submit changes a report's status, setting LastModifiedDate to modified.
func (c *e2eConcurAPI) submit(id string, modified time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.reports[id]
	r.ApprovalStatusName, r.ApprovalStatusCode = "Submitted & Pending Approval", "A_PEND"
	s := e2eConcurDate(modified)
	r.SubmitDate = &s
	r.LastModifiedDate, r.modified = s, modified
}

func (c *e2eConcurAPI) log(from int) []e2eConcurRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.requests[from:])
}

func (c *e2eConcurAPI) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.requests)
}

func (c *e2eConcurAPI) record(objectType, id string) ([]byte, time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.reports[id]
	if objectType != "reports" || !ok {
		return nil, time.Time{}, false
	}
	raw, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	return raw, r.modified, true
}

func (c *e2eConcurAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Now()
	req := e2eConcurRequest{at: now, url: r.URL.RequestURI(), query: r.URL.Query(), status: http.StatusOK}
	defer func() { c.requests = append(c.requests, req) }()
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	fail := func(status int, msg string) {
		req.status = status
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"Message": msg})
	}
	if r.Header.Get("Authorization") != "Bearer "+c.token {
		fail(http.StatusUnauthorized, "Invalid token.")
		return
	}
	if r.URL.Path != e2eConcurPath {
		fail(http.StatusNotFound, "No HTTP resource was found that matches the request URI.")
		return
	}
	q := req.query
	limit := 25
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fail(http.StatusBadRequest, "The limit is invalid.")
			return
		}
		limit = n
	}
	limit = min(limit, c.maxLimit, 100)
	offset := 0
	if v := q.Get("offset"); v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		n, err2 := strconv.Atoi(string(b))
		if err != nil || err2 != nil || n < 0 {
			fail(http.StatusBadRequest, "The offset is invalid.")
			return
		}
		offset = n
	}
	var after time.Time
	if v := q.Get("modifiedDateAfter"); v != "" {
		t, err := time.Parse("2006-01-02T15:04:05.999", v)
		if err != nil {
			fail(http.StatusBadRequest, "modifiedDateAfter is not a date.")
			return
		}
		after = t
	}
	var list []*e2eConcurReport
	for _, rp := range c.reports {
		if after.IsZero() || rp.modified.After(after) {
			list = append(list, rp)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		return a.created.Before(b.created) || a.created.Equal(b.created) && a.ID < b.ID
	})
	lo, hi := min(offset, len(list)), min(offset+limit, len(list))
	page := struct {
		Items    []*e2eConcurReport
		NextPage *string
	}{Items: list[lo:hi]}
	if page.Items == nil {
		page.Items = []*e2eConcurReport{}
	}
	if hi < len(list) {
		// Absolute, with the parameters in Concur's order and an opaque
		// offset: the client must follow it as given.
		next := fmt.Sprintf("http://%s%s?offset=%s&limit=%d&user=%s&modifiedDateAfter=%s", r.Host, e2eConcurPath,
			base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(hi))), limit,
			url.QueryEscape(q.Get("user")), url.QueryEscape(q.Get("modifiedDateAfter")))
		page.NextPage, req.next = &next, next
	}
	req.served = len(page.Items)
	raw, err := json.Marshal(page)
	if err != nil {
		panic(err)
	}
	_, _ = w.Write(raw)
}

func e2eConcurInstance(t *testing.T, baseURL string) *element.Instance {
	t.Helper()
	inst, err := element.Parse([]byte(`{"id": "` + e2eConcurInstanceID + `", "name": "Expenses", "element": {"key": "concur"},
	  "configuration": {
	    "concur.base.url": "` + baseURL + `", "oauth.access.token": "` + e2eConcurToken + `",
	    "event.notification.enabled": true, "event.vendor.type": "polling",
	    "event.notification.callback.url": "https://app.example.com/cb"}}`))
	require.NoError(t, err)
	require.NoError(t, inst.Validate())
	return inst
}

type e2eConcurRig struct {
	clock *e2eClock
	api   *e2eConcurAPI
	inst  *element.Instance
	sink  *e2eSink
	state *poller.MemoryState
	p     *poller.Poller
}

func newE2EConcurRig(t *testing.T) *e2eConcurRig {
	t.Helper()
	clock := newE2EClock()
	api, srv := newE2EConcurAPI(t, clock)
	r := &e2eConcurRig{clock: clock, api: api, sink: &e2eSink{}, state: poller.NewMemoryState()}
	r.inst = e2eConcurInstance(t, srv.URL)
	p, err := poller.New(poller.Config{Instance: r.inst, Sink: r.sink.sink(), Clock: r.clock, State: r.state, Logger: e2eDiscard,
		Guard: allowServers(t, netguard.Guard{}, srv.URL)})
	require.NoError(t, err)
	require.Equal(t, []string{"reports"}, p.Resources(), "the definition's default resource")
	r.p = p
	return r
}

type e2eConcurCycle struct {
	res      poller.Result
	requests []e2eConcurRequest
	batches  []events.Batch
}

// poll waits for the next refresh (the definition's default 15 minutes)
// on the fake clock and polls once.
func (r *e2eConcurRig) poll(t *testing.T) e2eConcurCycle {
	t.Helper()
	r.clock.Advance(element.DefaultRefreshInterval)
	from := r.api.count()
	res, waits := r.clock.drive(t, r.p)
	require.Len(t, res, 1)
	require.Empty(t, waits)
	c := e2eConcurCycle{res: res[0], requests: r.api.log(from), batches: r.sink.take()}
	require.NoError(t, c.res.Err)
	require.NotEmpty(t, c.requests)
	if len(c.batches) > 0 {
		e2eCheckBatches(t, e2eExpect{
			instanceID: e2eConcurInstanceID, instanceName: "Expenses", elementKey: "concur", hubKey: "expense",
			callback: "https://app.example.com/cb", record: r.api.record,
		}, c.batches, c.requests[0].at.Truncate(time.Second))
	}
	return c
}

// checkPaging checks that a cycle fetched the first page as the definition
// builds it and then followed every NextPage exactly as given.
func (c e2eConcurCycle) checkPaging(t *testing.T, modifiedAfter string) {
	t.Helper()
	first := c.requests[0]
	require.Equal(t, url.Values{"user": {"ALL"}, "modifiedDateAfter": {modifiedAfter}, "limit": {"100"}}, first.query)
	for i := 1; i < len(c.requests); i++ {
		next, err := url.Parse(c.requests[i-1].next)
		require.NoError(t, err)
		require.Equal(t, next.RequestURI(), c.requests[i].url, "page %d follows NextPage byte for byte", i+1)
	}
	require.Empty(t, c.requests[len(c.requests)-1].next, "the last page has no NextPage")
	require.Equal(t, c.res.Pages, len(c.requests))
	served := 0
	for _, rq := range c.requests {
		require.Equal(t, http.StatusOK, rq.status)
		served += rq.served
	}
	require.Equal(t, served, c.res.Records)
}

func TestE2EConcurReports(t *testing.T) {
	t.Parallel()
	// Dates relative to the baseline poll, at 12:15:00.
	base := e2eT0.Add(element.DefaultRefreshInterval)
	ms := func(d time.Duration, millis int) time.Time {
		return base.Add(d + time.Duration(millis)*time.Millisecond)
	}
	tests := []struct {
		name   string
		change func(api *e2eConcurAPI)
		want   []string
		pages  int
		// dates are the LastModifiedDate strings the changed records are
		// served with, to show what the test covers.
		dates []string
		// again: the changes are inside the next window's lookback, so the
		// cycle after serves them again (and must not report them).
		again int
	}{
		{
			name: "create and update across two NextPage pages",
			change: func(api *e2eConcurAPI) {
				api.put("9F1C2B3A4D5E6F708192A3B4C5D6E7F8", "Client visit Boston", ms(5*time.Minute, 980), ms(5*time.Minute, 980))
				api.put("A7E3D1C9B5F24E6A8C0D2F4B6E8A1C3E", "Team offsite", ms(6*time.Minute, 500), ms(6*time.Minute, 500))
				api.submit("0042", ms(7*time.Minute, 123))
			},
			want:  e2eJoin(e2eWant(events.Created, "9F1C2B3A4D5E6F708192A3B4C5D6E7F8", "A7E3D1C9B5F24E6A8C0D2F4B6E8A1C3E"), e2eWant(events.Updated, "0042")),
			pages: 2,
			dates: []string{"2026-11-24T12:20:00.98", "2026-11-24T12:21:00.5", "2026-11-24T12:22:00.123"},
		},
		{
			name: "ids that look like numbers are strings: 42 is not 0042",
			change: func(api *e2eConcurAPI) {
				api.put("42", "Trip 42", ms(2*time.Minute, 70), ms(2*time.Minute, 70))
				api.submit("0042", ms(3*time.Minute, 1))
			},
			want:  e2eJoin(e2eWant(events.Created, "42"), e2eWant(events.Updated, "0042")),
			pages: 1,
			dates: []string{"2026-11-24T12:17:00.07", "2026-11-24T12:18:00.001"},
		},
		{
			// Both created in the same millisecond, 20 s before the next
			// poll; the limit of 2 puts the second on page 2.
			name: "same LastModifiedDate split across NextPage pages: both once",
			change: func(api *e2eConcurAPI) {
				same := ms(element.DefaultRefreshInterval-20*time.Second, 250)
				api.put("B0000000000000000000000000000001", "Lunch", same, same)
				api.put("B0000000000000000000000000000002", "Dinner", same, same)
				api.submit("C3D4E5F60718293A4B5C6D7E8F901A2B", same)
			},
			want:  e2eJoin(e2eWant(events.Created, "B0000000000000000000000000000001", "B0000000000000000000000000000002"), e2eWant(events.Updated, "C3D4E5F60718293A4B5C6D7E8F901A2B")),
			pages: 2,
			dates: []string{"2026-11-24T12:29:40.25"},
			again: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newE2EConcurRig(t)
			old := e2eT0.Add(-48 * time.Hour)
			r.api.put("0042", "Q3 conference", old.Add(123*time.Millisecond), old.Add(24*time.Hour+500*time.Millisecond))
			r.api.put("5E1A9C7B3D2F4E6A8B0C1D3E5F7A9B2C", "Denver trip", old.Add(time.Hour+980*time.Millisecond), old.Add(time.Hour+980*time.Millisecond))
			r.api.put("C3D4E5F60718293A4B5C6D7E8F901A2B", "Supplies", old.Add(2*time.Hour+70*time.Millisecond), old.Add(2*time.Hour+70*time.Millisecond))

			c := r.poll(t)
			require.Empty(t, c.batches, "the first cycle takes a baseline silently")
			c.checkPaging(t, "0001-01-01T00:00:00")
			require.Equal(t, 2, c.res.Pages, "three reports, two a page")
			require.Equal(t, 3, c.res.Records)
			require.WithinDuration(t, base, c.requests[0].at, 0)

			tt.change(r.api)
			c = r.poll(t)
			c.checkPaging(t, "2026-11-24T12:14:00")
			require.Equal(t, tt.pages, c.res.Pages)
			require.Equal(t, tt.want, e2eSummary(c.batches))
			var served []string
			for _, b := range c.batches {
				for _, e := range b.Events {
					var rec struct{ ID, LastModifiedDate string }
					require.NoError(t, json.Unmarshal(e.Raw, &rec))
					require.Equal(t, e.ObjectID, rec.ID, "ObjectID is the string ID as served")
					served = append(served, rec.LastModifiedDate)
				}
			}
			for _, d := range tt.dates {
				require.Contains(t, served, d)
			}

			c = r.poll(t)
			c.checkPaging(t, "2026-11-24T12:29:00")
			require.Equal(t, tt.again, c.res.Records)
			require.Empty(t, c.batches, "nothing is reported again")
		})
	}
}

// Concur writes a LastModifiedDate that falls on a whole second without a
// fraction ("2026-11-24T12:22:01", .NET's FFF), which the definition's
// pattern yyyy-MM-dd'T'HH:mm:ss.SSS does not read. The update must still
// be reported.
func TestE2EConcurUpdateOnWholeSecondIsReported(t *testing.T) {
	t.Parallel()
	r := newE2EConcurRig(t)
	old := e2eT0.Add(-48 * time.Hour)
	r.api.put("0042", "Q3 conference", old.Add(123*time.Millisecond), old.Add(24*time.Hour+500*time.Millisecond))
	require.Empty(t, r.poll(t).batches)

	at := r.clock.Now().Add(7*time.Minute + time.Second) // 12:22:01.000
	r.api.submit("0042", at)
	raw, _, _ := r.api.record("reports", "0042")
	require.Contains(t, string(raw), `"LastModifiedDate":"2026-11-24T12:22:01"`)

	c := r.poll(t)
	require.Equal(t, 1, c.res.Records, "the vendor served the changed report")
	require.Equal(t, e2eWant(events.Updated, "0042"), e2eSummary(c.batches))
}
