package riverstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/riverstore"
)

// benchConcurrency is the attempts in flight to the one endpoint, for both
// paths.
const benchConcurrency = 16

// countingReceiver answers 204 to everything and signals when it has
// accepted want requests.
type countingReceiver struct {
	srv  *httptest.Server
	n    atomic.Int64
	want atomic.Int64
	done chan struct{}
}

func newCountingReceiver(b *testing.B) *countingReceiver {
	c := &countingReceiver{done: make(chan struct{}, 1)}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
		if c.n.Add(1) == c.want.Load() {
			c.done <- struct{}{}
		}
	}))
	b.Cleanup(c.srv.Close)
	return c
}

// expect resets the count and waits for n more requests.
func (c *countingReceiver) expect(n int) { c.n.Store(0); c.want.Store(int64(n)) }

func (c *countingReceiver) wait(b *testing.B) {
	select {
	case <-c.done:
	case <-time.After(60 * time.Second):
		b.Fatalf("only %d of %d notifications arrived", c.n.Load(), c.want.Load())
	}
}

// benchBatch is n events, one notification each (batch size 1), to url,
// of 64 object types, so that the Notifier, which keeps each type in
// order, can use all its concurrency.
func benchBatch(url string, n int) events.Batch {
	b := batch("bench", "customers", url, 0, n)
	for i := range b.Events {
		e := &b.Events[i]
		e.ObjectType = "customers-" + strconv.Itoa(i%64)
		e.ID = events.NewID("bench", e.ObjectType, e.ObjectID, e.Type, e.Date)
	}
	return b
}

// benchRiver is the River configuration of both River paths.
func benchRiver() *river.Config {
	return &river.Config{FetchCooldown: 5 * time.Millisecond, FetchPollInterval: 50 * time.Millisecond, Logger: quiet}
}

// bareArgs is the job of the bare River worker: a body to POST to a URL.
type bareArgs struct {
	URL  string `json:"url"`
	Body []byte `json:"body"`
}

func (bareArgs) Kind() string { return "bench_bare_post" }

// bareWorker POSTs its job's body and nothing else: no signing, no order,
// no endpoint state. It is River's own ceiling for riverstore's deliveries.
type bareWorker struct {
	river.WorkerDefaults[bareArgs]
	client *http.Client
}

func (w *bareWorker) Work(ctx context.Context, job *river.Job[bareArgs]) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, job.Args.URL, bytes.NewReader(job.Args.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// BenchmarkDelivery measures notifications per second from Publish to the
// receiver's 204, signed, over loopback, with 16 attempts in flight:
// through River and PostgreSQL ("River"), against a bare River worker that
// only POSTs the same bodies with the same River settings, workers and
// database ("River-bare", River's own ceiling; read the ratio of the two),
// and through the in-memory notify.Notifier, in the same run.
func BenchmarkDelivery(b *testing.B) {
	b.Run("River", func(b *testing.B) {
		pool, _ := setup(b, 40)
		rc := newCountingReceiver(b)
		cfg := riverstore.Config{
			Pool: pool, Logger: quiet, Policy: notify.DeliveryPolicy{Guard: netguard.Guard{AllowPrivate: true}, PollingBatchSize: 1},
			Workers: benchConcurrency, Concurrency: benchConcurrency, River: benchRiver(),
		}
		r, err := riverstore.New(cfg)
		require.NoError(b, err)
		require.NoError(b, r.Start(context.Background()))
		b.Cleanup(func() { _ = r.Stop(context.Background()) })
		ctx := context.Background()
		rc.expect(b.N)
		b.ResetTimer()
		require.NoError(b, r.Publish(ctx, benchBatch(rc.srv.URL, b.N)))
		rc.wait(b)
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notifications/s")
	})
	b.Run("River-bare", func(b *testing.B) {
		pool, _ := setup(b, 40)
		rc := newCountingReceiver(b)
		// A transport that keeps a connection per worker: the strongest
		// plain client for this load.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = benchConcurrency
		workers := river.NewWorkers()
		river.AddWorker(workers, &bareWorker{client: &http.Client{Transport: tr}})
		rcfg := benchRiver()
		rcfg.Workers = workers
		rcfg.Queues = map[string]river.QueueConfig{"bench_bare": {MaxWorkers: benchConcurrency}}
		client, err := river.NewClient(riverpgxv5.New(pool), rcfg)
		require.NoError(b, err)
		require.NoError(b, client.Start(context.Background()))
		b.Cleanup(func() { _ = client.Stop(context.Background()) })
		// The bodies riverstore would POST, unsigned, ready before the
		// clock starts (riverstore's are encoded inside Publish).
		notes := events.Notifications(benchBatch(rc.srv.URL, b.N), 1)
		params := make([]river.InsertManyParams, len(notes))
		for i, note := range notes {
			body, err := json.Marshal(note)
			require.NoError(b, err)
			params[i] = river.InsertManyParams{Args: bareArgs{URL: rc.srv.URL, Body: body},
				InsertOpts: &river.InsertOpts{Queue: "bench_bare", MaxAttempts: len(notify.DefaultSchedule)}}
		}
		ctx := context.Background()
		rc.expect(b.N)
		b.ResetTimer()
		// One transaction, one InsertMany, as Publish inserts.
		require.NoError(b, pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			_, err := client.InsertManyTx(ctx, tx, params)
			return err
		}))
		rc.wait(b)
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notifications/s")
	})
	b.Run("Notifier", func(b *testing.B) {
		rc := newCountingReceiver(b)
		n, err := notify.New(notify.Config{
			Logger: quiet, Policy: notify.DeliveryPolicy{Guard: netguard.Guard{AllowPrivate: true}, PollingBatchSize: 1}, Concurrency: benchConcurrency,
		})
		require.NoError(b, err)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = n.Run(ctx) }()
		b.Cleanup(func() { cancel(); <-done })
		rc.expect(b.N)
		b.ResetTimer()
		require.NoError(b, n.Publish(ctx, benchBatch(rc.srv.URL, b.N)))
		rc.wait(b)
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notifications/s")
	})
}

// BenchmarkStateBytesPerRecord reports the size of the poller state
// tables, indexes included, per record of a resource of 100,000 records
// (half numeric ids, half 11-character strings), after a baseline commit.
func BenchmarkStateBytesPerRecord(b *testing.B) {
	pool, _ := setup(b, 4)
	s, err := riverstore.NewState(pool, riverstore.StoreConfig{})
	require.NoError(b, err)
	const records = 100_000
	c := poller.Change{Watermark: time.Now(), Cycles: 1, Upsert: make(map[string]poller.Record, records)}
	for n := range records {
		id := strconv.Itoa(10_000_000 + n)
		if n%2 == 1 {
			id = "rec-" + strconv.Itoa(1_000_000+n)
		}
		c.Upsert[id] = poller.Record{Updated: time.Now().UnixNano(), Hash: uint64(n) * 0x9E3779B97F4A7C15}
	}
	ctx := context.Background()
	require.NoError(b, s.Commit(ctx, poller.StateKey{Instance: "inst", Resource: "contacts"}, c))
	_, err = pool.Exec(ctx, "VACUUM ANALYZE elementevents_poller_record")
	require.NoError(b, err)
	var size, heap int64
	require.NoError(b, pool.QueryRow(ctx, `SELECT pg_total_relation_size('elementevents_poller_record') + pg_total_relation_size('elementevents_poller_resource'),
		pg_relation_size('elementevents_poller_record')`).Scan(&size, &heap))
	for b.Loop() {
	}
	b.ReportMetric(float64(size)/records, "bytes/record")
	b.ReportMetric(float64(heap)/records, "heap-bytes/record")
}
