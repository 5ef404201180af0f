package webhook_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/internal/testpages"
	"github.com/a12b7632/elementevents/signature"
	"github.com/a12b7632/elementevents/vendortest"
	"github.com/a12b7632/elementevents/webhook"
)

// handlerBenchClients is the number of client goroutines of both sides of
// BenchmarkHandlerThroughput.
const handlerBenchClients = 4

const handlerBenchSecret = "wc-bench-secret"

// handlerBenchOrder is a WooCommerce order.updated body of about 1 KiB.
var handlerBenchOrder = testpages.WooOrder()

// handlerBenchHandler returns a Handler for one WooCommerce instance that
// hands its batches to a no-op sink, counting them; dedupeTTL is its
// Config.DedupeTTL.
func handlerBenchHandler(b *testing.B, published *atomic.Int64, dedupeTTL time.Duration) *webhook.Handler {
	b.Helper()
	inst, err := element.Parse([]byte(`{"id":"bench","element":{"key":"woocommercerest"},"configuration":{
		"event.notification.enabled":true,"event.vendor.type":"webhook",
		"event.notification.callback.url":"https://app.example/cb","webhook.secret":"` + handlerBenchSecret + `"}}`))
	if err != nil {
		b.Fatal(err)
	}
	h, err := webhook.New(webhook.Config{
		Instances: []*element.Instance{inst},
		Sink: events.SinkFunc(func(context.Context, events.Batch) error {
			published.Add(1)
			return nil
		}),
		Clock:     clockwork.NewFakeClock(),
		DedupeTTL: dedupeTTL,
	})
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// handlerBenchServer serves h as a host would, on a ServeMux pattern, so
// that both sides pay the same routing and the difference is the Handler.
func handlerBenchServer(h http.Handler) *httptest.Server {
	mux := http.NewServeMux()
	mux.Handle("POST /events/{elementKey}/{instanceID}", h)
	return httptest.NewServer(mux)
}

// BenchmarkHandlerThroughput compares requests per second through the
// Handler (verify, normalize, dedupe with the default memory deduper,
// hand-off to a no-op sink) with a bare handler that only reads the body
// and answers "ok", both behind loopback httptest servers driven by the
// same client goroutines with the same signed 1 KiB WooCommerce body, each
// delivery with its own id. Compare the req/s metrics of bare and handler;
// handler-nodedupe is the Handler with deduplication off, which separates
// the Handler's own work from the cost of the memory deduper's state (one
// map entry per delivery for the default DedupeTTL, which the GC has to mark).
// bare-verify is the bare handler that also verifies the WooCommerce
// signature with package signature, as the Handler does, and nothing else:
// against it, the ratio shows what the Handler's own machinery costs,
// verifying aside.
func BenchmarkHandlerThroughput(b *testing.B) {
	sig := vendortest.WooSignature(handlerBenchSecret, handlerBenchOrder)

	b.Run("bare", func(b *testing.B) {
		srv := handlerBenchServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.ReadAll(r.Body); err != nil {
				http.Error(w, "read", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(w, "ok\n")
		}))
		defer srv.Close()
		handlerBenchLoad(b, srv, sig)
	})
	b.Run("bare-verify", func(b *testing.B) {
		v, err := signature.NewVerifier(signature.VerifierConfig{Keys: []signature.Key{signature.Key(handlerBenchSecret)}})
		if err != nil {
			b.Fatal(err)
		}
		var verified atomic.Int64
		srv := handlerBenchServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, "read", http.StatusBadRequest)
				return
			}
			if err := v.VerifyHMAC(body, r.Header.Get(vendortest.WooHeaderSignature)); err != nil {
				http.Error(w, "signature", http.StatusUnauthorized)
				return
			}
			verified.Add(1)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(w, "ok\n")
		}))
		defer srv.Close()
		handlerBenchLoad(b, srv, sig)
		if verified.Load() < int64(b.N) {
			b.Fatalf("verified %d bodies for %d requests", verified.Load(), b.N)
		}
	})
	for _, bb := range []struct {
		name string
		ttl  time.Duration
	}{{"handler", 0}, {"handler-nodedupe", -1}} {
		b.Run(bb.name, func(b *testing.B) {
			var published atomic.Int64
			srv := handlerBenchServer(handlerBenchHandler(b, &published, bb.ttl))
			defer srv.Close()
			handlerBenchLoad(b, srv, sig)
			if published.Load() < int64(b.N) {
				b.Fatalf("published %d batches for %d requests", published.Load(), b.N)
			}
		})
	}
}

// handlerBenchLoad posts the signed order b.N times from
// handlerBenchClients goroutines, each delivery with its own id, and
// reports requests/s and the process's CPU time per request (client and
// server), which still compares on a machine busy with other work.
func handlerBenchLoad(b *testing.B, srv *httptest.Server, sig string) {
	b.Helper()
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = handlerBenchClients
	url := srv.URL + "/events/woocommercerest/bench"
	var next atomic.Int64
	var wg sync.WaitGroup
	b.SetBytes(int64(len(handlerBenchOrder)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for range handlerBenchClients {
		wg.Go(func() {
			for {
				n := next.Add(1)
				if n > int64(b.N) {
					return
				}
				req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(handlerBenchOrder))
				if err != nil {
					b.Error(err)
					return
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(vendortest.WooHeaderTopic, "order.updated")
				req.Header.Set(vendortest.WooHeaderSignature, sig)
				req.Header.Set(vendortest.WooHeaderDeliveryID, strconv.FormatInt(n, 10))
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	used := processCPU() - cpu
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	if used > 0 {
		b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-µs/req")
	}
}

// handlerBenchWriter is a ResponseWriter that keeps nothing.
type handlerBenchWriter struct{ h http.Header }

func (w *handlerBenchWriter) Header() http.Header         { return w.h }
func (w *handlerBenchWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *handlerBenchWriter) WriteHeader(int)             {}

// BenchmarkHandlerServeHTTP is the Handler's own cost per request, in
// process, without the network: what profiles of the throughput benchmark
// are best read against.
func BenchmarkHandlerServeHTTP(b *testing.B) {
	var published atomic.Int64
	h := handlerBenchHandler(b, &published, 0)
	body := bytes.NewReader(handlerBenchOrder)
	req := httptest.NewRequest(http.MethodPost, "/events/woocommercerest/bench", io.NopCloser(body))
	req.ContentLength = int64(len(handlerBenchOrder))
	req.SetPathValue("elementKey", "woocommercerest")
	req.SetPathValue("instanceID", "bench")
	req.Header.Set(vendortest.WooHeaderTopic, "order.updated")
	req.Header.Set(vendortest.WooHeaderSignature, vendortest.WooSignature(handlerBenchSecret, handlerBenchOrder))
	w := &handlerBenchWriter{h: http.Header{}}
	b.SetBytes(int64(len(handlerBenchOrder)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		body.Reset(handlerBenchOrder)
		req.Header["X-Wc-Webhook-Delivery-Id"] = []string{strconv.Itoa(n)}
		clear(w.h)
		h.ServeHTTP(w, req)
	}
	if published.Load() != int64(n) {
		b.Fatalf("published %d batches for %d requests", published.Load(), n)
	}
}
