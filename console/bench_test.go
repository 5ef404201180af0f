package console_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/api"
	"github.com/a12b7632/elementevents/console"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/internal/benchdata"
)

// BenchmarkEventLogPage measures the event log page of issue 18: GET
// /console/events, the newest 100 of the 1,000,000 notifications of one
// tenant in a bbolt file (benchdata.EventLogFile, opened read-only),
// through the console's Handler called in process with the tenant's
// Authorization header ("handler"), and the same page filtered to the
// DEAD notifications, one in ten ("handler-dead"). The baseline is the
// engine's Events call of the same 100 notifications alone ("engine"):
// what the handler adds is authentication, reading each body and
// rendering the page. Each reports the p50 and p99 of its times in µs,
// and the handlers the page's size ("B/page"). Goals (issue 18): < 20 ms
// server time, < 50 KiB a page.
func BenchmarkEventLogPage(b *testing.B) {
	db := benchdata.Open(b, benchdata.EventLogFile(b))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng, err := engine.New(engine.Config{Store: db.Instances(), Events: db.EventLog(),
		Clock: clockwork.NewFakeClockAt(benchdata.Start), Logger: logger})
	require.NoError(b, err)
	h, err := console.New(console.Config{Engine: eng, Logger: logger,
		Authenticate: api.ElementsAuth(api.ElementsAuthConfig{Tenants: []api.ElementsTenant{
			{ID: benchdata.Tenant, UserSecret: "u-bench-secret", OrgSecret: "o-bench-secret"},
		}})})
	require.NoError(b, err)

	newest := benchdata.EventID(benchdata.Events - 1)
	page := func(target, first string) func() (int, error) {
		get := func() *httptest.ResponseRecorder {
			r := httptest.NewRequest(http.MethodGet, target, nil)
			r.Header.Set("Authorization", "User u-bench-secret, Organization o-bench-secret")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w
		}
		w := get()
		require.Equal(b, http.StatusOK, w.Code, w.Body.String())
		body := w.Body.String()
		require.Equal(b, 100, strings.Count(body, `<td class="mono"><a href="/console/events/`), "100 rows")
		require.Contains(b, body, `<a href="/console/events/`+first+`">`)
		require.Contains(b, body, ">Next page</a>")
		return func() (int, error) {
			w := get()
			if w.Code != http.StatusOK {
				return 0, &statusError{w.Code}
			}
			return w.Body.Len(), nil
		}
	}
	engineOnly := func() (int, error) {
		evs, err := eng.Events(b.Context(), engine.EventFilter{Tenant: benchdata.Tenant, Limit: 100})
		if err == nil && (len(evs) != 100 || evs[0].ID != newest) {
			b.Fatalf("got %d notifications, the first %q", len(evs), evs[0].ID)
		}
		return 0, err
	}
	// The newest DEAD notification: instance 99's batch of ten ends at
	// the log's end, so the last DEAD ones are of the batch before.
	deadFirst := ""
	for i := benchdata.Events - 1; i >= 0; i-- {
		if benchdata.Event(i).Status == engine.StatusDead {
			deadFirst = benchdata.EventID(i)
			break
		}
	}
	for _, tt := range []struct {
		name string
		op   func() (int, error)
		page bool
	}{
		{"handler", page("/console/events", newest), true},
		{"engine", engineOnly, false},
		{"handler-dead", page("/console/events?status=DEAD", deadFirst), true},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			var ds []time.Duration
			size := 0
			for b.Loop() {
				start := time.Now()
				n, err := tt.op()
				ds = append(ds, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				size = n
			}
			slices.Sort(ds)
			b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds())/1e3, "p50-us")
			b.ReportMetric(float64(ds[len(ds)*99/100].Nanoseconds())/1e3, "p99-us")
			if tt.page {
				b.ReportMetric(float64(size), "B/page")
			}
		})
	}
}

// statusError is an answer that was not 200.
type statusError struct{ code int }

func (e *statusError) Error() string { return http.StatusText(e.code) }
