package boltstore_test

import (
	"slices"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/internal/benchdata"
)

// BenchmarkEventLogList lists a page of 100 of one instance's
// notifications, newest first, from the log of benchdata.EventLogFile
// (1,000,000 notifications over 100 instances, kept under
// ELEMENTEVENTS_BENCH_CACHE when it is set): the newest page, the newest
// FAILED (one in ten), and a page from a cursor 9,000 notifications deep
// into the instance's 10,000. Raw is the floor: a bbolt cursor reading
// 100 values of the by-id region, copied. Each reports its p50 and p99
// per page.
func BenchmarkEventLogList(b *testing.B) {
	db := benchdata.Open(b, benchdata.EventLogFile(b))
	l := db.EventLog()
	const inst = 37
	tenant, instance := benchdata.Tenant, benchdata.EventInstance(inst)
	// The instance's notifications are inst, inst+100, ...: its 9,000th
	// newest is 9,000 of them before its last.
	deep := benchdata.EventID(benchdata.Events - benchdata.EventInstances + inst - 9000*benchdata.EventInstances)
	for _, tt := range []struct {
		name string
		op   func() (int, error)
	}{
		{"Raw", func() (int, error) { return db.ReadRawEvents(benchdata.EventID(inst), 100) }},
		{"Newest", list(b, l, engine.EventFilter{Tenant: tenant, Instance: instance, Limit: 100})},
		{"NewestFailed", list(b, l, engine.EventFilter{Tenant: tenant, Instance: instance, Limit: 100,
			Statuses: []engine.EventStatus{engine.StatusFailed}})},
		{"DeepCursor", list(b, l, engine.EventFilter{Tenant: tenant, Instance: instance, Limit: 100, After: deep})},
		{"TenantNewest", list(b, l, engine.EventFilter{Tenant: tenant, Limit: 100})},
	} {
		b.Run(tt.name, func(b *testing.B) {
			var ds []time.Duration
			for b.Loop() {
				start := time.Now()
				n, err := tt.op()
				ds = append(ds, time.Since(start))
				if err != nil || n != 100 {
					b.Fatalf("%d read, %v", n, err)
				}
			}
			slices.Sort(ds)
			b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds())/1e3, "p50-us")
			b.ReportMetric(float64(ds[len(ds)*99/100].Nanoseconds())/1e3, "p99-us")
		})
	}
}

func list(b *testing.B, l engine.EventLog, f engine.EventFilter) func() (int, error) {
	return func() (int, error) {
		page, err := l.List(b.Context(), f)
		return len(page), err
	}
}
