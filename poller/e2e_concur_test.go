package poller_test

// End-to-end tests of the Poller against vendortest's fake SAP Concur
// Expense v3 reports endpoint: Items and an absolute NextPage, bearer
// auth, string ids, and .NET-style dates with a variable number of
// fraction digits. The instance takes the concur definition's default
// "reports" resource. Shared helpers are in e2e_woocommerce_test.go.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/events/eventstest"
	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
)

const (
	e2eConcurInstanceID = "concur-9"
)

// put creates or replaces a report.
func (r *e2eConcurRig) put(id, name string, created, modified time.Time) {
	r.api.PutReport(vendortest.Report{
		ID: id, Name: name, Total: 245.5, Created: created, Modified: modified,
		ApproverLoginID: "pat.roe@example.com", ApproverName: "Roe, Pat",
		AmountDueEmployee: 245.5, TotalClaimedAmount: 245.5, TotalApprovedAmount: 245.5,
		PolicyID: "gWgAAw5UDYu8D4l7Pv$p5bk$pe6FsRHYxkbA",
	})
}

// submit changes a report's status, setting LastModifiedDate to modified.
func (r *e2eConcurRig) submit(id string, modified time.Time) {
	rp, ok := r.api.Report(id)
	require.True(r.t, ok, "report %s", id)
	rp.ApprovalStatusName, rp.ApprovalStatusCode = "Submitted & Pending Approval", "A_PEND"
	rp.Submitted, rp.Modified = modified, modified
	r.api.PutReport(rp)
}

// record returns the JSON the fake serves for a report, and its date.
func (r *e2eConcurRig) record(objectType, id string) ([]byte, time.Time, bool) {
	raw, ok := r.api.Record(id)
	if objectType != "reports" || !ok {
		return nil, time.Time{}, false
	}
	rp, _ := r.api.Report(id)
	return raw, rp.Modified, true
}

func e2eConcurInstance(t *testing.T, baseURL string) *element.Instance {
	t.Helper()
	inst, err := element.Parse([]byte(`{"id": "` + e2eConcurInstanceID + `", "name": "Expenses", "element": {"key": "concur"},
	  "configuration": {
	    "concur.base.url": "` + baseURL + `", ` + concurCredentials + `,
	    "event.notification.enabled": true, "event.vendor.type": "polling",
	    "event.notification.callback.url": "https://app.example.com/cb"}}`))
	require.NoError(t, err)
	require.NoError(t, inst.Validate())
	return inst
}

type e2eConcurRig struct {
	t     *testing.T
	clock *e2eClock
	api   *vendortest.Concur
	inst  *element.Instance
	sink  *eventstest.Recorder
	state poller.State
	p     *poller.Poller
}

func newE2EConcurRig(t *testing.T) *e2eConcurRig {
	t.Helper()
	clock := newE2EClock()
	// At most two reports a page, whatever limit asks.
	api := vendortest.ServeConcur(t, concurAuth(vendortest.ConcurConfig{Clock: clock, MaxLimit: 2}))
	r := &e2eConcurRig{t: t, clock: clock, api: api, sink: &eventstest.Recorder{}, state: poller.NewMemoryState()}
	r.inst = e2eConcurInstance(t, api.URL())
	p, err := poller.New(poller.Config{Instance: r.inst, Sink: r.sink, Clock: r.clock, State: r.state, Logger: e2eDiscard,
		Guard: allowServers(t, netguard.Guard{}, api.URL())})
	require.NoError(t, err)
	require.Equal(t, []string{"reports"}, p.Resources(), "the definition's default resource")
	r.p = p
	return r
}

type e2eConcurCycle struct {
	res      poller.Result
	requests []vendortest.LoggedRequest
	batches  []events.Batch
}

// poll waits for the next refresh (the definition's default 15 minutes)
// on the fake clock and polls once.
func (r *e2eConcurRig) poll(t *testing.T) e2eConcurCycle {
	t.Helper()
	r.clock.Advance(vocab.DefaultRefreshInterval)
	from := r.api.Log().Len()
	res, waits := r.clock.drive(t, r.p)
	require.Len(t, res, 1)
	require.Empty(t, waits)
	c := e2eConcurCycle{res: res[0], requests: pageRequests(r.api.Log().Since(from)), batches: r.sink.Take()}
	require.NoError(t, c.res.Err)
	require.NotEmpty(t, c.requests)
	if len(c.batches) > 0 {
		e2eCheckBatches(t, e2eExpect{
			instanceID: e2eConcurInstanceID, instanceName: "Expenses", elementKey: "concur", hubKey: "expense",
			callback: "https://app.example.com/cb", record: r.record,
		}, c.batches, c.requests[0].At.Truncate(time.Second))
	}
	return c
}

// checkPaging checks that a cycle fetched the first page as the definition
// builds it and then followed every NextPage exactly as given.
func (c e2eConcurCycle) checkPaging(t *testing.T, modifiedAfter string) {
	t.Helper()
	first := c.requests[0]
	require.Equal(t, url.Values{"user": {"ALL"}, "modifiedDateAfter": {modifiedAfter}, "limit": {"100"}}, first.Query)
	for i := 1; i < len(c.requests); i++ {
		next, err := url.Parse(c.requests[i-1].Next)
		require.NoError(t, err)
		require.Equal(t, next.RequestURI(), c.requests[i].Path+"?"+c.requests[i].RawQuery, "page %d follows NextPage byte for byte", i+1)
	}
	require.Empty(t, c.requests[len(c.requests)-1].Next, "the last page has no NextPage")
	require.Equal(t, c.res.Pages, len(c.requests))
	served := 0
	for _, rq := range c.requests {
		require.Equal(t, http.StatusOK, rq.Status)
		served += len(rq.IDs)
	}
	require.Equal(t, served, c.res.Records)
}

func TestE2EConcurReports(t *testing.T) {
	t.Parallel()
	// Dates relative to the baseline poll, at 12:15:00.
	base := e2eT0.Add(vocab.DefaultRefreshInterval)
	ms := func(d time.Duration, millis int) time.Time {
		return base.Add(d + time.Duration(millis)*time.Millisecond)
	}
	tests := []struct {
		name   string
		change func(r *e2eConcurRig)
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
			change: func(r *e2eConcurRig) {
				r.put("9F1C2B3A4D5E6F708192A3B4C5D6E7F8", "Client visit Boston", ms(5*time.Minute, 980), ms(5*time.Minute, 980))
				r.put("A7E3D1C9B5F24E6A8C0D2F4B6E8A1C3E", "Team offsite", ms(6*time.Minute, 500), ms(6*time.Minute, 500))
				r.submit("0042", ms(7*time.Minute, 123))
			},
			want:  e2eJoin(e2eWant(events.Created, "9F1C2B3A4D5E6F708192A3B4C5D6E7F8", "A7E3D1C9B5F24E6A8C0D2F4B6E8A1C3E"), e2eWant(events.Updated, "0042")),
			pages: 2,
			dates: []string{"2026-11-24T12:20:00.98", "2026-11-24T12:21:00.5", "2026-11-24T12:22:00.123"},
		},
		{
			name: "ids that look like numbers are strings: 42 is not 0042",
			change: func(r *e2eConcurRig) {
				r.put("42", "Trip 42", ms(2*time.Minute, 70), ms(2*time.Minute, 70))
				r.submit("0042", ms(3*time.Minute, 1))
			},
			want:  e2eJoin(e2eWant(events.Created, "42"), e2eWant(events.Updated, "0042")),
			pages: 1,
			dates: []string{"2026-11-24T12:17:00.07", "2026-11-24T12:18:00.001"},
		},
		{
			// Both created in the same millisecond, 20 s before the next
			// poll; the limit of 2 puts the second on page 2.
			name: "same LastModifiedDate split across NextPage pages: both once",
			change: func(r *e2eConcurRig) {
				same := ms(vocab.DefaultRefreshInterval-20*time.Second, 250)
				r.put("B0000000000000000000000000000001", "Lunch", same, same)
				r.put("B0000000000000000000000000000002", "Dinner", same, same)
				r.submit("C3D4E5F60718293A4B5C6D7E8F901A2B", same)
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
			r.put("0042", "Q3 conference", old.Add(123*time.Millisecond), old.Add(24*time.Hour+500*time.Millisecond))
			r.put("5E1A9C7B3D2F4E6A8B0C1D3E5F7A9B2C", "Denver trip", old.Add(time.Hour+980*time.Millisecond), old.Add(time.Hour+980*time.Millisecond))
			r.put("C3D4E5F60718293A4B5C6D7E8F901A2B", "Supplies", old.Add(2*time.Hour+70*time.Millisecond), old.Add(2*time.Hour+70*time.Millisecond))

			c := r.poll(t)
			require.Empty(t, c.batches, "the first cycle takes a baseline silently")
			c.checkPaging(t, "0001-01-01T00:00:00")
			require.Equal(t, 2, c.res.Pages, "three reports, two a page")
			require.Equal(t, 3, c.res.Records)
			require.WithinDuration(t, base, c.requests[0].At, 0)

			tt.change(r)
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
	r.put("0042", "Q3 conference", old.Add(123*time.Millisecond), old.Add(24*time.Hour+500*time.Millisecond))
	require.Empty(t, r.poll(t).batches)

	at := r.clock.Now().Add(7*time.Minute + time.Second) // 12:22:01.000
	r.submit("0042", at)
	raw, _, _ := r.record("reports", "0042")
	require.Contains(t, string(raw), `"LastModifiedDate":"2026-11-24T12:22:01"`)

	c := r.poll(t)
	require.Equal(t, 1, c.res.Records, "the vendor served the changed report")
	require.Equal(t, e2eWant(events.Updated, "0042"), e2eSummary(c.batches))
}

// pageRequests drops the token endpoint's requests from a log.
func pageRequests(log []vendortest.LoggedRequest) []vendortest.LoggedRequest {
	var out []vendortest.LoggedRequest
	for _, r := range log {
		if r.Resource != "token" {
			out = append(out, r)
		}
	}
	return out
}
