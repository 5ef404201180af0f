package loadtest_test

// Ingest under load: signed WooCommerce webhooks from 64 connections to the
// Handler, each accepted one delivered by the Notifier to a Receiver
// exactly once.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/signature"
	"github.com/a12b7632/elementevents/vendortest"
	"github.com/a12b7632/elementevents/webhook"
)

const (
	// ingestDefault is the number of distinct webhooks of a plain
	// `go test` (and of -short), ingestRace that under the race detector,
	// and ingestFull that of the full run (-loadtest.full or
	// ELEMENTEVENTS_LOAD_FULL=1, and BenchmarkIngest).
	ingestDefault = 5_000
	ingestRace    = 2_000
	ingestFull    = 50_000

	// ingestConns is the number of client connections, each driven by its
	// own goroutine.
	ingestConns = 64

	// Every ingestSeqDupEvery-th webhook is delivered again with the same
	// delivery id once its first delivery was answered (the Handler must
	// publish it once); every ingestConcDupEvery-th is delivered twice at
	// the same moment by two connections (the Receiver must hand it on
	// once).
	ingestSeqDupEvery  = 50
	ingestConcDupEvery = 200

	ingestSecret    = "loadtest-woocommerce-secret"
	ingestNotifyKey = "loadtest-notification-key"
)

// ingestTopics are the topics the webhooks cycle through: four object
// types, so that the Notifier, which keeps each instance's object type in
// order, has sixteen ordered streams to deliver in parallel.
var ingestTopics = []struct {
	topic, objectType string
	typ               events.Type
}{
	{"customer.created", "customers", events.Created},
	{"order.updated", "orders", events.Updated},
	{"product.updated", "products", events.Updated},
	{"coupon.created", "coupons", events.Created},
}

const ingestInstances = 4

// ingestBody is a WooCommerce order body of about 1 KiB; %d is the id and
// %s the date_modified_gmt.
const ingestBody = `{"id":%d,"parent_id":0,"number":"%[1]d","order_key":"wc_order_58d2d042d1d","created_via":"rest-api","version":"9.4.0","status":"processing","currency":"USD","date_created":"2026-11-24T12:00:00","date_created_gmt":"2026-11-24T12:00:00","date_modified":"%[2]s","date_modified_gmt":"%[2]s","discount_total":"0.00","discount_tax":"0.00","shipping_total":"10.00","shipping_tax":"0.00","cart_tax":"1.35","total":"29.35","total_tax":"1.35","prices_include_tax":false,"customer_id":25,"customer_ip_address":"","customer_user_agent":"","customer_note":"","billing":{"first_name":"John","last_name":"Doe","company":"","address_1":"969 Market","address_2":"","city":"San Francisco","state":"CA","postcode":"94103","country":"US","email":"john.doe@example.com","phone":"(555) 555-5555"},"shipping":{"first_name":"John","last_name":"Doe","company":"","address_1":"969 Market","address_2":"","city":"San Francisco","state":"CA","postcode":"94103","country":"US"},"payment_method":"bacs","payment_method_title":"Direct Bank Transfer","transaction_id":"","line_items":[{"id":315,"name":"Woo Single #1","product_id":93,"variation_id":0,"quantity":2,"tax_class":"","subtotal":"6.00","subtotal_tax":"0.45","total":"6.00","total_tax":"0.45","sku":"","price":3}],"meta_data":[]}`

// ingestT0 dates the first webhook; webhook i is dated i seconds later.
var ingestT0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// ingestJob is what one load-generator goroutine sends in one go.
type ingestJob struct {
	index int           // the webhook's index
	req   *http.Request // its delivery
	again *http.Request // a redelivery to send once req was answered, if any
}

// ingestResult is what a run measured.
type ingestResult struct {
	webhooks, requests int
	load               time.Duration // first request to last answer
	drain              time.Duration // first request to last notification handled
	ack                []time.Duration
	e2e                []time.Duration // webhook sent to notification handled
	handlerPublished   int             // webhooks the Handler published more than once
	receiverDuplicates int64           // notifications the Receiver answered as already seen
	retried            int64           // failed delivery attempts (none expected on loopback)
}

func TestIngest(t *testing.T) {
	checkNoLeak(t)
	n := ingestDefault
	switch {
	case full():
		n = ingestFull
	case raceDetector:
		n = ingestRace
	}
	res := runIngest(t, n)
	t.Logf("ingest: %d webhooks (%d requests with redeliveries) from %d connections in %v: %.0f req/s; "+
		"webhook answered p50 %v, p99 %v; all %d delivered after %v, end to end p50 %v, p99 %v; "+
		"concurrent redeliveries published twice by the Handler: %d, dropped by the Receiver as seen: %d; delivery retries: %d",
		res.webhooks, res.requests, ingestConns, res.load.Round(time.Millisecond), res.reqPerSec(),
		percentile(res.ack, 50), percentile(res.ack, 99), res.webhooks, res.drain.Round(time.Millisecond),
		percentile(res.e2e, 50), percentile(res.e2e, 99), res.handlerPublished, res.receiverDuplicates, res.retried)
	t.Log(res.benchLine())
}

// BenchmarkIngest runs the full ingest, 50,000 webhooks, once per
// iteration; run it with -benchtime 1x.
func BenchmarkIngest(b *testing.B) {
	for b.Loop() {
		res := runIngest(b, ingestFull)
		b.ReportMetric(res.reqPerSec(), "req/s")
		b.ReportMetric(float64(percentile(res.ack, 50).Microseconds()), "p50-µs")
		b.ReportMetric(float64(percentile(res.ack, 99).Microseconds()), "p99-µs")
		b.ReportMetric(float64(percentile(res.e2e, 50).Microseconds()), "e2e-p50-µs")
		b.ReportMetric(float64(percentile(res.e2e, 99).Microseconds()), "e2e-p99-µs")
	}
}

func (r ingestResult) reqPerSec() float64 { return float64(r.requests) / r.load.Seconds() }

// benchLine formats the run as `go test -bench` would.
func (r ingestResult) benchLine() string {
	return fmt.Sprintf("BenchmarkIngest/webhooks=%d\t%d\t%d ns/op\t%.0f req/s\t%d p50-µs\t%d p99-µs\t%d e2e-p50-µs\t%d e2e-p99-µs",
		r.webhooks, r.requests, r.load.Nanoseconds()/int64(r.requests), r.reqPerSec(),
		percentile(r.ack, 50).Microseconds(), percentile(r.ack, 99).Microseconds(),
		percentile(r.e2e, 50).Microseconds(), percentile(r.e2e, 99).Microseconds())
}

// percentile returns the p-th percentile of ds (nearest rank).
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(i-1, 0)]
}

// runIngest sends n distinct webhooks, plus the redeliveries, and checks
// that each is delivered exactly once.
func runIngest(tb testing.TB, n int) ingestResult {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// The webhooks and the ids of the events they become.
	index := make(map[string]int, n) // event id -> webhook
	for i := range n {
		inst, tp := ingestInstanceID(i), ingestTopics[(i/ingestInstances)%len(ingestTopics)]
		index[events.NewID(inst, tp.objectType, strconv.Itoa(i+1), tp.typ, ingestT0.Add(time.Duration(i)*time.Second))] = i
	}
	require.Len(tb, index, n, "every webhook is a distinct event")
	var (
		sentAt    = make([]atomic.Int64, n) // unix ns of the first send
		handledAt = make([]atomic.Int64, n)
		handled   = make([]atomic.Int32, n) // times Handle saw the event
		published = make([]atomic.Int32, n) // times the Handler published it
		unknown   atomic.Int64
		handledN  atomic.Int64
		notes     atomic.Int64 // notifications handed to Handle
	)

	// The consumer: a Receiver on loopback, counting events by id.
	rcv, err := receiver.New(receiver.Config{
		Keys:   []signature.Key{[]byte(ingestNotifyKey)},
		Logger: discard,
		Handle: func(_ context.Context, note events.Notification) error {
			notes.Add(1)
			now := time.Now().UnixNano()
			m := note.Message
			for _, e := range m.Events {
				i, ok := index[events.NewID(m.InstanceID, e.ObjectType, e.ObjectID, e.EventType, e.Date)]
				if !ok {
					unknown.Add(1)
					continue
				}
				if handled[i].Add(1) == 1 {
					handledAt[i].Store(now)
					handledN.Add(1)
				}
			}
			return nil
		},
	})
	require.NoError(tb, err)
	var consumerRequests atomic.Int64
	consumer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		consumerRequests.Add(1)
		rcv.ServeHTTP(w, r)
	}))
	defer consumer.Close()
	callback := consumer.URL + "/element-events"

	// The Notifier, allowed to reach loopback and nothing else private.
	notifier, err := notify.New(notify.Config{
		Policy:      notify.DeliveryPolicy{Guard: netguard.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}},
		Concurrency: 8,
		Logger:      discard,
	})
	require.NoError(tb, err)
	defer runNotifier(ctx, tb, notifier, cancel, 20*time.Second)()

	// The Handler, publishing to the Notifier, counting what it publishes.
	var insts []*element.Instance
	for i := range ingestInstances {
		insts = append(insts, ingestInstance(tb, ingestInstanceID(i), callback))
	}
	handler, err := webhook.New(webhook.Config{
		Instances: insts,
		Logger:    discard,
		Sink: events.SinkFunc(func(ctx context.Context, b events.Batch) error {
			if err := notifier.Publish(ctx, b); err != nil {
				return err
			}
			for _, e := range b.Events {
				if i, ok := index[e.ID]; ok {
					published[i].Add(1)
				}
			}
			return nil
		}),
	})
	require.NoError(tb, err)
	mux := http.NewServeMux()
	mux.Handle("POST /events/{elementKey}/{instanceID}", handler)
	vendorSide := httptest.NewServer(mux)
	defer vendorSide.Close()

	// The deliveries, signed and built before the clock starts.
	jobs := make(chan ingestJob, n+n/ingestConcDupEvery+1)
	requests := 0
	for i := range n {
		tp := ingestTopics[(i/ingestInstances)%len(ingestTopics)]
		body := fmt.Appendf(nil, ingestBody, i+1, ingestT0.Add(time.Duration(i)*time.Second).Format(vendortest.WooDateLayout))
		url := vendorSide.URL + "/events/woocommercerest/" + ingestInstanceID(i)
		req := vendortest.NewWooWebhookRequest(tb, url, ingestSecret, tp.topic, body)
		job := ingestJob{index: i, req: req}
		requests++
		redelivery := func() *http.Request {
			again := vendortest.NewWooWebhookRequest(tb, url, ingestSecret, tp.topic, body)
			again.Header.Set(vendortest.WooHeaderDeliveryID, req.Header.Get(vendortest.WooHeaderDeliveryID))
			requests++
			return again
		}
		if i%ingestSeqDupEvery == 0 {
			job.again = redelivery()
		}
		jobs <- job
		if i%ingestConcDupEvery == 1 {
			// Next in the queue: another connection takes it at once.
			jobs <- ingestJob{index: i, req: redelivery()}
		}
	}
	close(jobs)

	transport := &http.Transport{MaxConnsPerHost: ingestConns, MaxIdleConnsPerHost: ingestConns}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		ack      = make([]time.Duration, 0, requests)
		failures []string
	)
	send := func(req *http.Request) (time.Duration, error) {
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("%d %s", resp.StatusCode, body)
		}
		return time.Since(start), nil
	}
	start := time.Now()
	for range ingestConns {
		wg.Go(func() {
			var mine []time.Duration
			var errs []string
			for job := range jobs {
				sentAt[job.index].CompareAndSwap(0, time.Now().UnixNano())
				for _, req := range []*http.Request{job.req, job.again} {
					if req == nil {
						continue
					}
					d, err := send(req)
					if err != nil {
						errs = append(errs, fmt.Sprintf("webhook %d: %v", job.index, err))
						break // no redelivery of a refused delivery
					}
					mine = append(mine, d)
				}
			}
			mu.Lock()
			ack = append(ack, mine...)
			failures = append(failures, errs...)
			mu.Unlock()
		})
	}
	wg.Wait()
	load := time.Since(start)
	require.Empty(tb, failures, "every webhook is accepted")
	require.Len(tb, ack, requests)

	// Every accepted webhook reaches the consumer.
	deadline := time.Now().Add(2 * time.Minute)
	for handledN.Load() < int64(n) {
		if time.Now().After(deadline) {
			tb.Fatalf("after %v only %d of %d events were handled; notifier %+v", time.Since(start), handledN.Load(), n, notifier.Stats())
		}
		time.Sleep(time.Millisecond)
	}
	drain := time.Since(start)
	// Let anything still in flight land, so that a second delivery would
	// be counted.
	require.Eventually(tb, func() bool {
		eps, err := notifier.Outbox().Endpoints(ctx)
		return err == nil && len(eps) == 0
	}, 30*time.Second, time.Millisecond, "the outbox empties")

	res := ingestResult{webhooks: n, requests: requests, load: load, drain: drain, ack: ack, receiverDuplicates: consumerRequests.Load() - notes.Load()}
	for i := range n {
		require.EqualValues(tb, 1, handled[i].Load(), "webhook %d handled by the consumer exactly once", i)
		p := published[i].Load()
		if i%ingestSeqDupEvery == 0 {
			require.EqualValues(tb, 1, p, "webhook %d, delivered again after it was answered, is published once", i)
		}
		require.True(tb, p == 1 || p == 2 && i%ingestConcDupEvery == 1, "webhook %d published %d times", i, p)
		if p == 2 {
			res.handlerPublished++
		}
		res.e2e = append(res.e2e, time.Duration(handledAt[i].Load()-sentAt[i].Load()))
	}
	require.Zero(tb, unknown.Load(), "no event the load did not send")
	st := notifier.Stats()
	require.Zero(tb, st.Dead, "nothing dead-lettered")
	res.retried = st.Retried
	return res
}

func ingestInstanceID(i int) string { return "shop-" + strconv.Itoa(i%ingestInstances+1) }

// ingestInstance is an enabled WooCommerce webhook instance, as a host
// receives it from its API.
func ingestInstance(tb testing.TB, id, callback string) *element.Instance {
	tb.Helper()
	body, err := json.Marshal(map[string]any{
		"id": id, "name": "load " + id, "tags": []string{"load"},
		"element": map[string]string{"key": "woocommercerest"},
		"configuration": map[string]any{
			"event.notification.enabled":       true,
			"event.vendor.type":                "webhook",
			"event.notification.callback.url":  callback,
			"event.notification.signature.key": ingestNotifyKey,
			"webhook.secret":                   ingestSecret,
		},
	})
	require.NoError(tb, err)
	inst, err := element.Parse(body)
	require.NoError(tb, err)
	require.NoError(tb, inst.Validate())
	return inst
}
