package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/api"
	"github.com/a12b7632/elementevents/boltstore"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/internal/benchdata"
)

// The benchmarks of issue 17's API goals read store files of package
// benchdata (kept under ELEMENTEVENTS_BENCH_CACHE when it is set), opened
// read-only, through an engine over the file's stores and the handler,
// called in process (httptest.NewRecorder) with the tenant's
// credentials. Each sub-benchmark reports the p50 and p99 of its
// per-request (or per-call) times, in µs, as boltstore's do.

// benchAuth is the Authorization header of benchdata.Tenant.
const benchAuth = "User u-bench-secret, Organization o-bench-secret"

// benchHandler returns the API over an engine on db's instances and event
// log.
func benchHandler(b *testing.B, db *boltstore.DB) http.Handler {
	b.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng, err := engine.New(engine.Config{Store: db.Instances(), Events: db.EventLog(),
		Clock: clockwork.NewFakeClockAt(benchdata.Start), Logger: logger})
	require.NoError(b, err)
	h, err := api.New(api.Config{Engine: eng, Logger: logger,
		Authenticate: api.ElementsAuth(api.ElementsAuthConfig{Tenants: []api.ElementsTenant{
			{ID: benchdata.Tenant, UserSecret: "u-bench-secret", OrgSecret: "o-bench-secret"},
		}})})
	require.NoError(b, err)
	return h
}

// benchGet returns an op that sends GET target to h and checks the
// answer is 200. It first sends it once and checks the page holds 100
// items, the first with id first, each item's secrets redacted.
func benchGet(b *testing.B, h http.Handler, target, first string) func() error {
	b.Helper()
	req := func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Header.Set("Authorization", benchAuth)
		return r
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req())
	require.Equal(b, http.StatusOK, w.Code, w.Body.String())
	var page []struct {
		ID string `json:"id"`
	}
	require.NoError(b, json.Unmarshal(w.Body.Bytes(), &page))
	require.Len(b, page, 100)
	require.Equal(b, first, page[0].ID)
	require.NotEmpty(b, w.Header().Get("X-Next-Cursor"))
	require.NotContains(b, w.Body.String(), "cs_bench_consumer_secret")
	require.NotContains(b, w.Body.String(), "whsec-bench")
	return func() error {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req())
		if w.Code != http.StatusOK {
			return &statusError{w.Code, w.Body.String()}
		}
		return nil
	}
}

// statusError is an answer that was not 200.
type statusError struct {
	code int
	body string
}

func (e *statusError) Error() string { return http.StatusText(e.code) + ": " + e.body }

// benchOp names one sub-benchmark's operation.
type benchOp struct {
	name string
	op   func() error
}

// runLatencies runs each op as a sub-benchmark and reports the p50 and
// p99 of its times.
func runLatencies(b *testing.B, ops []benchOp) {
	for _, tt := range ops {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			var ds []time.Duration
			for b.Loop() {
				start := time.Now()
				err := tt.op()
				ds = append(ds, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
			}
			slices.Sort(ds)
			b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds())/1e3, "p50-us")
			b.ReportMetric(float64(ds[len(ds)*99/100].Nanoseconds())/1e3, "p99-us")
		})
	}
}

// BenchmarkListInstances measures GET /instances?limit=100 over the
// 10,000 instances of one tenant in a bbolt file (benchdata.InstancesFile):
// the first page ("handler"), and the page after the 9,000th id
// ("handler-deep"). The baselines are InstanceStore.List of the same
// pages of 100 records from the same file ("store", "store-deep"): what
// the handler adds is authentication, the query, redacting and
// rendering each body, and the JSON answer. Goal (issue 17): p99 < 5 ms.
func BenchmarkListInstances(b *testing.B) {
	db := benchdata.Open(b, benchdata.InstancesFile(b))
	h := benchHandler(b, db)
	deep := benchdata.InstanceID(8_999) // the 9,000th
	store := func(after, first string) func() error {
		f := engine.Filter{Tenant: benchdata.Tenant, After: after, Limit: 100}
		recs, err := db.Instances().List(b.Context(), f)
		require.NoError(b, err)
		require.Len(b, recs, 100)
		require.Equal(b, first, recs[0].ID)
		return func() error {
			_, err := db.Instances().List(b.Context(), f)
			return err
		}
	}
	runLatencies(b, []benchOp{
		{"handler", benchGet(b, h, "/instances?limit=100", benchdata.InstanceID(0))},
		{"store", store("", benchdata.InstanceID(0))},
		{"handler-deep", benchGet(b, h, "/instances?limit=100&after="+deep, benchdata.InstanceID(9_000))},
		{"store-deep", store(deep, benchdata.InstanceID(9_000))},
	})
}

// BenchmarkListEvents measures GET /instances/{id}/events?limit=100 of
// one instance among the 100 of a log of 1,000,000 notifications in a
// bbolt file (benchdata.EventLogFile): the newest page ("handler"), and
// the page from a cursor 9,000 notifications deep into the instance's
// 10,000 ("handler-deep"). The baselines are EventLog.List of the same
// pages from the same file ("store", "store-deep"). Goal (issue 17):
// p99 < 10 ms.
func BenchmarkListEvents(b *testing.B) {
	db := benchdata.Open(b, benchdata.EventLogFile(b))
	h := benchHandler(b, db)
	const inst = 37
	id := benchdata.EventInstance(inst)
	// The instance's notifications are inst, inst+100, ...: its newest is
	// the log's last but 63, and its 9,000th newest is 9,000 of them
	// before it.
	newest := benchdata.Events - benchdata.EventInstances + inst
	deep := benchdata.EventID(newest - 9_000*benchdata.EventInstances)
	store := func(after, first string) func() error {
		f := engine.EventFilter{Tenant: benchdata.Tenant, Instance: id, After: after, Limit: 100}
		evs, err := db.EventLog().List(b.Context(), f)
		require.NoError(b, err)
		require.Len(b, evs, 100)
		require.Equal(b, first, evs[0].ID)
		return func() error {
			_, err := db.EventLog().List(b.Context(), f)
			return err
		}
	}
	path := "/instances/" + id + "/events?limit=100"
	deepFirst := benchdata.EventID(newest - 9_001*benchdata.EventInstances)
	runLatencies(b, []benchOp{
		{"handler", benchGet(b, h, path, benchdata.EventID(newest))},
		{"store", store("", benchdata.EventID(newest))},
		{"handler-deep", benchGet(b, h, path+"&after="+deep, deepFirst)},
		{"store-deep", store(deep, deepFirst)},
	})
}
