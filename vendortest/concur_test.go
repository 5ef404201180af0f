package vendortest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/vendortest"
)

const token = "eyJ0eXAiOiJKV1Qi.concur.token"

func bearer(req *http.Request) { req.Header.Set("Authorization", "Bearer "+token) }

// newConcur serves a fake at t0, at most maxLimit reports a page, with
// five reports created a minute apart (the fourth by another owner) and
// modified at 12:00:00.5 + i minutes.
func newConcur(t *testing.T, maxLimit int) *vendortest.Concur {
	t.Helper()
	c := vendortest.ServeConcur(t, vendortest.ConcurConfig{Token: token, Clock: clockwork.NewFakeClockAt(t0), MaxLimit: maxLimit})
	for i, id := range []string{"R1", "R2", "R3", "R4", "R5"} {
		r := vendortest.Report{ID: id, Name: "Trip " + id, Total: 12.5,
			Created: t0.Add(time.Duration(i) * time.Minute), Modified: t0.Add(time.Duration(i)*time.Minute + 500*time.Millisecond)}
		if id == "R4" {
			r.OwnerLoginID = "pat.roe@example.com"
		}
		c.PutReport(r)
	}
	return c
}

// concurPage is a page of the reports list.
type concurPage struct {
	Items []struct {
		ID, LastModifiedDate, CreateDate, URI string
		SubmitDate                            *string
	}
	NextPage *string
}

// follow reads every page from path on, following NextPage as given, and
// returns the ids and the queries asked.
func follow(t *testing.T, c *vendortest.Concur, path string) (ids []string, queries []string) {
	t.Helper()
	next := c.URL() + path
	for range 10 {
		u, err := url.Parse(next)
		require.NoError(t, err)
		r := get(t, u.Scheme+"://"+u.Host, u.RequestURI(), bearer)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		require.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
		queries = append(queries, u.RawQuery)
		var p concurPage
		require.NoError(t, json.Unmarshal(r.body, &p))
		for _, it := range p.Items {
			ids = append(ids, it.ID)
		}
		if p.NextPage == nil {
			return ids, queries
		}
		next = *p.NextPage
	}
	t.Fatal("no last page")
	return nil, nil
}

func TestConcurReports(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		maxLimit    int
		query       string
		wantIDs     []string
		wantQueries []string
	}{
		{"two a page", 0, "user=ALL&limit=2", []string{"R1", "R2", "R3", "R4", "R5"}, []string{
			"user=ALL&limit=2",
			"offset=gWqMg&limit=2&user=ALL&modifiedDateAfter=",
			"offset=gWqNA&limit=2&user=ALL&modifiedDateAfter=",
		}},
		{"limit capped by MaxLimit", 3, "user=ALL&limit=100", []string{"R1", "R2", "R3", "R4", "R5"}, []string{
			"user=ALL&limit=100",
			"offset=gWqMw&limit=3&user=ALL&modifiedDateAfter=",
		}},
		{"default limit", 0, "user=ALL", []string{"R1", "R2", "R3", "R4", "R5"}, []string{"user=ALL"}},
		{"modifiedDateAfter, strict, to the millisecond", 0, "user=ALL&limit=2&modifiedDateAfter=2026-11-24T12:02:00.5",
			[]string{"R4", "R5"}, []string{"user=ALL&limit=2&modifiedDateAfter=2026-11-24T12:02:00.5"}},
		{"modifiedDateAfter without a fraction", 0, "user=ALL&limit=2&modifiedDateAfter=2026-11-24T12:03:00",
			[]string{"R4", "R5"}, []string{"user=ALL&limit=2&modifiedDateAfter=2026-11-24T12:03:00"}},
		{"one owner's", 0, "user=pat.roe@example.com", []string{"R4"}, []string{"user=pat.roe@example.com"}},
		{"the token's user by default", 0, "", []string{"R1", "R2", "R3", "R4", "R5"}, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newConcur(t, tt.maxLimit)
			ids, queries := follow(t, c, vendortest.ConcurReportsPath+"?"+tt.query)
			require.Equal(t, tt.wantIDs, ids)
			require.Equal(t, tt.wantQueries, queries)
			log := c.Log().Since(0)
			for i, rq := range log {
				require.Equal(t, "reports", rq.Resource)
				require.Equal(t, i+1, rq.Page)
				if i > 0 {
					next, err := url.Parse(log[i-1].Next)
					require.NoError(t, err)
					require.Equal(t, next.RequestURI(), rq.Path+"?"+rq.RawQuery)
				}
			}
		})
	}
}

func TestConcurErrors(t *testing.T) {
	t.Parallel()
	c := newConcur(t, 0)
	tests := []struct {
		name, path string
		auth       func(*http.Request)
		wantStatus int
	}{
		{"no token", vendortest.ConcurReportsPath, nil, http.StatusUnauthorized},
		{"other token", vendortest.ConcurReportsPath, func(r *http.Request) { r.Header.Set("Authorization", "Bearer x") }, http.StatusUnauthorized},
		{"other path", "/api/v3.0" + "/expense/entries", bearer, http.StatusNotFound},
		{"bad limit", vendortest.ConcurReportsPath + "?limit=0", bearer, http.StatusBadRequest},
		{"bad offset", vendortest.ConcurReportsPath + "?offset=2", bearer, http.StatusBadRequest},
		{"bad offset encoding", vendortest.ConcurReportsPath + "?offset=gWq!!", bearer, http.StatusBadRequest},
		{"bad date", vendortest.ConcurReportsPath + "?modifiedDateAfter=yesterday", bearer, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := get(t, c.URL(), tt.path, tt.auth)
			require.Equal(t, tt.wantStatus, r.status)
			require.Equal(t, t0.Format(http.TimeFormat), r.header.Get("Date"))
			var e struct{ Message string }
			require.NoError(t, json.Unmarshal(r.body, &e))
			require.NotEmpty(t, e.Message)
		})
	}
}

func TestConcurSetToken(t *testing.T) {
	t.Parallel()
	c := newConcur(t, 0)
	require.Equal(t, http.StatusOK, get(t, c.URL(), vendortest.ConcurReportsPath, bearer).status)
	c.SetToken("rotated")
	require.Equal(t, http.StatusUnauthorized, get(t, c.URL(), vendortest.ConcurReportsPath, bearer).status)
	require.Equal(t, http.StatusOK, get(t, c.URL(), vendortest.ConcurReportsPath, func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer rotated")
	}).status)
}

// Reports are written as Concur writes them: .NET dates, null for dates
// not set, URI on the fake's URL; Record is what a page holds.
func TestConcurRecord(t *testing.T) {
	t.Parallel()
	c := newConcur(t, 0)
	r, ok := c.Report("R2")
	require.True(t, ok)
	require.Equal(t, "USD", r.CurrencyCode)
	r.Submitted, r.Modified = t0.Add(time.Hour), t0.Add(time.Hour)
	r.ApprovalStatusCode = "A_PEND"
	c.PutReport(r)
	c.DeleteReport("R3")

	page := get(t, c.URL(), vendortest.ConcurReportsPath+"?limit=1&offset=gWqMQ", bearer)
	require.Equal(t, http.StatusOK, page.status)
	raw, ok := c.Record("R2")
	require.True(t, ok)
	require.Contains(t, string(page.body), `{"Items":[`+string(raw)+`],"NextPage":"`)
	var got map[string]any
	require.NoError(t, json.Unmarshal(raw, &got))
	require.Equal(t, "2026-11-24T12:01:00", got["CreateDate"], "no fraction on a whole second")
	require.Equal(t, "2026-11-24T13:00:00", got["SubmitDate"])
	require.Equal(t, "2026-11-24T13:00:00", got["LastModifiedDate"])
	require.Nil(t, got["PaidDate"])
	require.Equal(t, c.URL()+vendortest.ConcurReportsPath+"/R2", got["URI"])
	raw, _ = c.Record("R1")
	require.Contains(t, string(raw), `"LastModifiedDate":"2026-11-24T12:00:00.5"`)
	_, ok = c.Record("R3")
	require.False(t, ok)
}

func TestConcurFaults(t *testing.T) {
	t.Parallel()
	c := newConcur(t, 2)
	c.Inject(vendortest.Fault{Page: 2, Status: http.StatusTooManyRequests, RetryAfter: "7"},
		vendortest.Fault{Page: 3, Overlap: true})
	r := get(t, c.URL(), vendortest.ConcurReportsPath+"?offset=gWqMg&limit=2", bearer)
	require.Equal(t, http.StatusTooManyRequests, r.status)
	require.Equal(t, "7", r.header.Get("Retry-After"))
	ids, _ := follow(t, c, vendortest.ConcurReportsPath+"?user=ALL&limit=2")
	require.Equal(t, []string{"R1", "R2", "R3", "R4", "R4", "R5"}, ids, "page 3 repeats the last of page 2")
	require.Empty(t, c.TakeFaults())
}

func TestNewConcur(t *testing.T) {
	t.Parallel()
	for _, cfg := range []vendortest.ConcurConfig{{}, {Token: "t", MaxLimit: -1}} {
		_, err := vendortest.NewConcur(cfg)
		require.ErrorIs(t, err, vendortest.ErrConfig)
		require.ErrorContains(t, err, "ConcurConfig.")
	}
	c, err := vendortest.NewConcur(vendortest.ConcurConfig{Token: "t"})
	require.NoError(t, err)
	require.Equal(t, "https://us.api.concursolutions.com", c.URL())
	c.SetURL("http://127.0.0.1:9/")
	require.Equal(t, "http://127.0.0.1:9", c.URL())
}
