package riverstore_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/riverstore"
)

const (
	// benchEvents notifications over benchInstances instances of one
	// tenant: notification i is of instance i % benchInstances, created
	// i seconds after logT0, FAILED when its rank in its instance is a
	// multiple of ten, DEAD when it is 5 more than a multiple of 100,
	// NOTIFIED otherwise.
	benchEvents    = 200_000
	benchInstances = 100
)

func benchEventID(i int) string  { return fmt.Sprintf("ev-%07d", i) }
func benchInstance(i int) string { return fmt.Sprintf("inst-%03d", i%benchInstances) }
func benchStatus(i int) engine.EventStatus {
	switch rank := i / benchInstances; {
	case rank%10 == 0:
		return engine.StatusFailed
	case rank%100 == 5:
		return engine.StatusDead
	}
	return engine.StatusNotified
}

// benchAttempts is the attempts column of one attempt, as the log
// writes it (List fails the benchmark if it does not read it).
func benchAttempts(a notify.Attempt) string {
	resp := ""
	if a.Response != nil {
		resp = `,"response":"` + base64.StdEncoding.EncodeToString(a.Response) + `"`
	}
	return fmt.Sprintf(`[{"at":%q,"status":%d,"latency_ns":%d,"error":%q%s}]`,
		a.At.UTC().Format("2006-01-02T15:04:05.000000Z07:00"), a.Status, a.Latency, a.Error, resp)
}

// BenchmarkEventLogList lists a page of 100 of one instance's
// notifications, newest first, from a log of 200,000 notifications over
// 100 instances (loaded with COPY): the newest page, the newest FAILED
// (one in ten), the newest FAILED or DEAD (what GET
// /instances/{id}/deliveries lists), a page from a cursor 1,800 notifications deep into the
// instance's 2,000, and the tenant's newest. Each reports its p50 and
// p99 per page, the round trips to PostgreSQL on loopback included.
func BenchmarkEventLogList(b *testing.B) {
	pool, _ := setup(b, 8)
	ctx := context.Background()
	body := `{"message":{"eventId":"%s","elementKey":"woocommercerest","instanceId":"%s","events":[{"eventType":"UPDATED","objectType":"customers","objectId":"%d","elementKey":"woocommercerest","hubKey":"ecommerce","date":"2026-12-07T12:00:00Z","pollDate":"2026-12-07T12:00:00Z"}],"raw":{"id":%d,"email":"customer@example.com","first_name":"Ada","last_name":"Lovelace","billing":{"city":"London","country":"GB"}}}}`
	rows := make([][]any, benchEvents)
	for i := range rows {
		id, inst := benchEventID(i), benchInstance(i)
		created := logT0.Add(time.Duration(i) * time.Second)
		status := benchStatus(i)
		a := notify.Attempt{At: created.Add(time.Second), Status: 200, Latency: 12 * time.Millisecond}
		if status != engine.StatusNotified {
			a = notify.Attempt{At: created.Add(time.Second), Status: 503, Latency: 40 * time.Millisecond, Error: "HTTP 503", Response: []byte(`{"error":"unavailable"}`)}
		}
		rows[i] = []any{id, "t", inst, "customers", []string{"UPDATED"}, int32(1),
			fmt.Appendf(nil, body, id, inst, i, i), string(status), created, a.At, benchAttempts(a), ""}
	}
	n, err := pool.CopyFrom(ctx, pgx.Identifier{"elementevents_event_log"},
		[]string{"id", "tenant", "instance", "object_type", "event_types", "events", "body", "status", "created", "updated", "attempts", "reason"},
		pgx.CopyFromRows(rows))
	require.NoError(b, err)
	require.EqualValues(b, benchEvents, n)
	_, err = pool.Exec(ctx, "VACUUM ANALYZE elementevents_event_log")
	require.NoError(b, err)

	l, err := riverstore.NewEventLog(pool, riverstore.StoreConfig{})
	require.NoError(b, err)
	const inst = 37
	instance := benchInstance(inst)
	// The instance's notifications are inst, inst+100, ...: its 1,800th
	// newest is 1,800 of them before its last.
	deep := benchEventID(benchEvents - benchInstances + inst - 1800*benchInstances)
	for _, tt := range []struct {
		name string
		f    engine.EventFilter
	}{
		{"Newest", engine.EventFilter{Tenant: "t", Instance: instance, Limit: 100}},
		{"NewestFailed", engine.EventFilter{Tenant: "t", Instance: instance, Limit: 100, Statuses: []engine.EventStatus{engine.StatusFailed}}},
		{"NewestFailedOrDead", engine.EventFilter{Tenant: "t", Instance: instance, Limit: 100, Statuses: []engine.EventStatus{engine.StatusFailed, engine.StatusDead}}},
		{"DeepCursor", engine.EventFilter{Tenant: "t", Instance: instance, Limit: 100, After: deep}},
		{"TenantNewest", engine.EventFilter{Tenant: "t", Limit: 100}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			var ds []time.Duration
			for b.Loop() {
				start := time.Now()
				page, err := l.List(ctx, tt.f)
				ds = append(ds, time.Since(start))
				if err != nil || len(page) != 100 {
					b.Fatalf("%d listed, %v", len(page), err)
				}
			}
			slices.Sort(ds)
			b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds())/1e3, "p50-us")
			b.ReportMetric(float64(ds[len(ds)*99/100].Nanoseconds())/1e3, "p99-us")
		})
	}
}
