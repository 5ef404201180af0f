package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/signature"
)

// BenchmarkDelivery compares the Notifier (outbox, signing, outcome
// bookkeeping) delivering to a loopback receiver with a bare http.Client
// loop posting the same bodies at the same concurrency. Read the ratio of
// their deliveries/s. "bare-client-signed" is the bare loop signing each
// request as the Notifier does: against it, the ratio shows what the
// Notifier's own machinery costs, signing aside. All start with their
// bodies ready; "publish" measures the cost of getting a batch into the
// outbox on its own. The notifications come from 64 instances, since
// order is kept per instance and object type.
func BenchmarkDelivery(b *testing.B) {
	const concurrency = 4 // Config.Concurrency's default
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	transport := func() *http.Transport {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = concurrency
		return t
	}

	b.Run("notifier", func(b *testing.B) {
		client := &http.Client{Transport: transport()}
		var delivered atomic.Int64
		all := make(chan struct{})
		n, err := notify.New(notify.Config{Policy: notify.DeliveryPolicy{Client: client, Guard: exactly(srv)}, Concurrency: concurrency, Logger: discardLogger(),
			// Wait on a hook, not a polling loop that would steal CPU.
			OnAttempt: func(a notify.AttemptInfo) {
				if a.Outcome == notify.OutcomeDelivered && delivered.Add(1) == int64(b.N) {
					close(all)
				}
			}})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// Like the bare loop's bodies, the notifications are ready before
		// the clock starts: this measures delivery.
		for i := range b.N {
			e := evt("customers", strconv.Itoa(i), events.Created, `{"id":1,"email":"a@example.com"}`)
			bt := batch(srv.URL, key, e)
			// Spread over instances: order is kept per instance and object
			// type, so one instance alone would be delivered one at a time.
			bt.Instance.ID = strconv.Itoa(i % 64)
			if err := n.Publish(ctx, bt); err != nil {
				b.Fatal(err)
			}
		}
		done := make(chan struct{})
		b.ReportAllocs()
		b.ResetTimer()
		start, cpu := time.Now(), processCPU()
		go func() { _ = n.Run(ctx); close(done) }()
		<-all
		reportRate(b, start, cpu)
		b.StopTimer()
		cancel()
		<-done
	})

	b.Run("publish", func(b *testing.B) {
		n, err := notify.New(notify.Config{Logger: discardLogger(), Policy: notify.DeliveryPolicy{Guard: exactly(srv)}})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			e := evt("customers", strconv.Itoa(i), events.Created, `{"id":1,"email":"a@example.com"}`)
			if err := n.Publish(ctx, batch(srv.URL, key, e)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})

	// The bare loop, and the same loop signing each request as the
	// Notifier does (both schemes, a fresh timestamp each time): the two
	// baselines tell the cost of signing apart from the Notifier's own.
	bare := func(b *testing.B, sign bool) {
		client := &http.Client{Transport: transport()}
		// Only the signing loop keeps the ids: the plain loop holds the
		// bodies alone, as before there was a second baseline.
		bodies := make([][]byte, b.N)
		var ids []string
		if sign {
			ids = make([]string, b.N)
		}
		for i := range bodies {
			e := evt("customers", strconv.Itoa(i), events.Created, `{"id":1,"email":"a@example.com"}`)
			note := events.Notifications(batch(srv.URL, key, e), 0)[0]
			bodies[i], _ = json.Marshal(note)
			if sign {
				ids[i] = note.Message.EventID
			}
		}
		signer, err := signature.NewSigner(key)
		if err != nil {
			b.Fatal(err)
		}
		work := make(chan int)
		var wg sync.WaitGroup
		b.ReportAllocs()
		b.ResetTimer()
		start, cpu := time.Now(), processCPU()
		for range concurrency {
			wg.Go(func() {
				for i := range work {
					req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(bodies[i]))
					if err != nil {
						b.Error(err)
						return
					}
					req.Header.Set("Content-Type", "application/json")
					if sign {
						signer.SetHeaders(req.Header, ids[i], time.Now(), bodies[i])
					}
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			})
		}
		for i := range bodies {
			work <- i
		}
		close(work)
		wg.Wait()
		reportRate(b, start, cpu)
	}
	b.Run("bare-client", func(b *testing.B) { bare(b, false) })
	b.Run("bare-client-signed", func(b *testing.B) { bare(b, true) })
}

// reportRate reports deliveries per second of wall time and the process's
// CPU time per delivery (receiver included) since start and cpu. On a
// machine busy with other work the CPU figure still compares.
func reportRate(b *testing.B, start time.Time, cpu time.Duration) {
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "deliveries/s")
	if used := processCPU() - cpu; used > 0 {
		b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-µs/delivery")
	}
}

// BenchmarkMemoryOutboxBacklog measures one Claim and Ack on an endpoint with 64
// order keys and many deliveries pending behind them: the cost follows the
// keys, not the backlog, so the sizes should read alike.
func BenchmarkMemoryOutboxBacklog(b *testing.B) {
	for _, pending := range []int{1_000, 100_000} {
		b.Run(strconv.Itoa(pending), func(b *testing.B) {
			ctx := context.Background()
			o := notify.NewMemoryOutbox()
			now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
			id := 0
			enqueue := func() {
				d := notify.Delivery{ID: strconv.Itoa(id), Endpoint: "https://cb.example/", OrderKey: strconv.Itoa(id % 64), Body: []byte(`{}`)}
				id++
				if err := o.Enqueue(ctx, now, d); err != nil {
					b.Fatal(err)
				}
			}
			for range pending {
				enqueue()
			}
			b.ReportAllocs()
			for b.Loop() {
				ds, err := o.Claim(ctx, "https://cb.example/", now, time.Minute, 1)
				if err != nil || len(ds) != 1 {
					b.Fatalf("claim: %v, %d", err, len(ds))
				}
				if err := o.Ack(ctx, ds[0].ID, notify.Attempt{}); err != nil {
					b.Fatal(err)
				}
				enqueue() // keep the backlog
			}
		})
	}
}
