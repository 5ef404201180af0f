package boltstore_test

import (
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/boltstore"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/notify"
)

// The event log benchmark's file: benchEvents notifications of one
// tenant, spread round-robin over benchInstances instances, one every
// 100 ms from benchStart, one in ten FAILED, one in ten DEAD, the rest
// NOTIFIED, each with one attempt and a body of about 300 bytes.
const (
	benchEvents    = 1_000_000
	benchInstances = 100
	benchTenant    = "acme"
	benchBatch     = 20_000
)

var benchStart = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// benchID is notification i's id: 16 hex digits of a hash, as real ids
// (hashes of their events) are in no order.
func benchID(i int) string {
	h := fnv.New64a()
	_, _ = h.Write(strconv.AppendInt(nil, int64(i), 10))
	return fmt.Sprintf("%016x", h.Sum64())
}

func benchInstance(i int) string { return fmt.Sprintf("inst-%03d", i%benchInstances) }

func benchEvent(i int) engine.LoggedEvent {
	created := benchStart.Add(time.Duration(i) * 100 * time.Millisecond)
	status, a := engine.StatusNotified, notify.Attempt{At: created.Add(time.Second), Status: 200, Latency: 80 * time.Millisecond}
	switch (i / benchInstances) % 10 { // one in ten of each instance
	case 0:
		status, a.Status, a.Error = engine.StatusFailed, 503, "HTTP 503"
	case 1:
		status, a.Status, a.Error = engine.StatusDead, 404, "HTTP 404"
	}
	body := fmt.Sprintf(`{"message":{"eventId":%q,"elementKey":"woocommercerest","instanceId":%q,"events":[{"eventType":"UPDATED","objectType":"customers","objectId":"%d","elementKey":"woocommercerest","hubKey":"ecommerce","date":%q,"pollDate":%q}]}}`,
		benchID(i), benchInstance(i), i, created.Format(time.RFC3339), created.Format(time.RFC3339))
	return engine.LoggedEvent{
		ID: benchID(i), Tenant: benchTenant, Instance: benchInstance(i), ObjectType: "customers", EventTypes: []string{"UPDATED"},
		Events: 1, Body: []byte(body), Status: status, Created: created, Updated: a.At, Attempts: []notify.Attempt{a},
		Reason: map[bool]string{true: "HTTP 404: not retried"}[status == engine.StatusDead],
	}
}

// benchEventLogFile returns the path of the benchmark's file, built in
// batches of benchBatch notifications a transaction. It is built in the
// benchmark's temporary directory, or, when ELEMENTEVENTS_BENCH_CACHE
// names a directory, kept there and reused by later runs.
func benchEventLogFile(b *testing.B) string {
	dir := os.Getenv("ELEMENTEVENTS_BENCH_CACHE")
	if dir == "" {
		dir = b.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("eventlog-%d-schema%d-v2.db", benchEvents, boltstore.SchemaVersion))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	start := time.Now()
	tmp := path + ".building"
	_ = os.Remove(tmp)
	db, err := boltstore.Open(tmp, boltstore.Options{})
	require.NoError(b, err)
	l := db.EventLog()
	batch := make([]engine.LoggedEvent, 0, benchBatch)
	for i := range benchEvents {
		batch = append(batch, benchEvent(i))
		if len(batch) == benchBatch {
			require.NoError(b, l.Append(b.Context(), batch...))
			batch = batch[:0]
		}
	}
	require.NoError(b, l.Append(b.Context(), batch...))
	used := db.UsedBytes()
	require.NoError(b, db.Close())
	require.NoError(b, os.Rename(tmp, path))
	b.Logf("built %s: %d notifications in %v, %d MiB in use", path, benchEvents, time.Since(start).Round(time.Millisecond), used>>20)
	return path
}

// BenchmarkEventLogList lists a page of 100 of one instance's
// notifications, newest first, from a log of 1,000,000 over 100
// instances: the newest page, the newest FAILED (one in ten), and a page
// from a cursor 9,000 notifications deep into the instance's 10,000.
// Raw is the floor: a bbolt cursor reading 100 values of the by-id
// region, copied. Each reports its p50 and p99 per page.
func BenchmarkEventLogList(b *testing.B) {
	db := openAt(b, benchEventLogFile(b), boltstore.Options{SkipVerify: true})
	l := db.EventLog()
	const inst = 37
	// The instance's notifications are inst, inst+100, ...: its 9,000th
	// newest is 9,000 of them before its last.
	deep := benchID(benchEvents - benchInstances + inst - 9000*benchInstances)
	for _, tt := range []struct {
		name string
		op   func() (int, error)
	}{
		{"Raw", func() (int, error) { return db.ReadRawEvents(benchID(inst), 100) }},
		{"Newest", list(b, l, engine.EventFilter{Tenant: benchTenant, Instance: benchInstance(inst), Limit: 100})},
		{"NewestFailed", list(b, l, engine.EventFilter{Tenant: benchTenant, Instance: benchInstance(inst), Limit: 100,
			Statuses: []engine.EventStatus{engine.StatusFailed}})},
		{"DeepCursor", list(b, l, engine.EventFilter{Tenant: benchTenant, Instance: benchInstance(inst), Limit: 100, After: deep})},
		{"TenantNewest", list(b, l, engine.EventFilter{Tenant: benchTenant, Limit: 100})},
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
