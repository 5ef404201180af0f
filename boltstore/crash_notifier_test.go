package boltstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/boltstore"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
)

// The Notifier on the bolt outbox, killed while delivering.

// TestCrashNotifierLosesNothing runs a child that publishes notifications
// to a notify.Notifier on the bolt outbox, printing each notification id
// once Publish has returned (from then on it must not be lost), while the
// Notifier delivers to this process's receiver, which takes 10 to 40 ms a
// request. The child is killed crashRuns times, at a random moment or
// once the receiver has taken a random number of its requests, so that
// deliveries are in flight; each restart opens the same file. A last run
// publishes a little more and waits until the outbox is empty.
//
// Checked: every notification whose id the child printed reached the
// receiver at least once; none was dead-lettered; and the receiver saw at
// most crashConcurrency x kills more requests than distinct ids: a kill
// can only cause the redelivery of what was in flight, which the
// Notifier's per-endpoint limit bounds.
func TestCrashNotifierLosesNothing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "outbox.db")

	var (
		mu       sync.Mutex
		received = map[string]int{}
		requests atomic.Int64
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return // the child died mid-request: it never sent the whole body
		}
		var n events.Notification
		if err := json.Unmarshal(body, &n); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		received[n.Message.EventID]++
		mu.Unlock()
		requests.Add(1)
		time.Sleep(time.Duration(10+rand.IntN(30)) * time.Millisecond) // slow, so kills find requests in flight
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	var accepted []string
	for run := 0; run <= crashRuns; run++ {
		final := run == crashRuns
		c := startChild(t, "notifier", envStore+"="+path, envTarget+"="+srv.URL+"/hook",
			envRun+"="+strconv.Itoa(run), envFinal+"="+strconv.FormatBool(final))
		c.waitReady(t)
		var lines []string
		if final {
			lines = c.finish(t, 30*time.Second)
		} else {
			base, after := requests.Load(), int64(1+rng.IntN(25))
			wait := time.Duration(50+rng.IntN(300)) * time.Millisecond
			if run%2 == 0 { // half the runs die at a random moment only
				after = 1 << 40
			}
			lines = c.killWhen(t, wait, func() bool { return requests.Load()-base >= after })
		}
		for _, l := range lines {
			if id, ok := strings.CutPrefix(l, "ACCEPTED "); ok {
				accepted = append(accepted, id)
			}
		}
	}

	mu.Lock()
	defer mu.Unlock()
	require.Greater(t, len(accepted), 2*crashRuns, "the child accepted too little for the test to mean anything")
	for _, id := range accepted {
		require.Positive(t, received[id], "notification %s was accepted but never delivered", id)
	}
	total := 0
	for _, n := range received {
		total += n
	}
	dups := total - len(received)
	t.Logf("%d kills, %d notifications accepted, %d requests for %d distinct ids: %d duplicates (bound %d)",
		crashRuns, len(accepted), total, len(received), dups, crashConcurrency*crashRuns)
	require.LessOrEqual(t, dups, crashConcurrency*crashRuns, "duplicates beyond the in-flight window")
}

// notifierChild is the child of TestCrashNotifierLosesNothing.
func notifierChild() int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "notifier child:", err)
		return 1
	}
	db, err := boltstore.Open(os.Getenv(envStore), boltstore.Options{Timeout: 10 * time.Second})
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	n, err := notify.New(notify.Config{
		Outbox: db.Outbox(),
		Policy: notify.DeliveryPolicy{
			Guard:    netguard.Guard{AllowPrivate: true},
			Timeout:  5 * time.Second,
			Schedule: []time.Duration{0, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, time.Second},
			Jitter:   -1,
		},
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Concurrency: crashConcurrency,
	})
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- n.Run(ctx) }()
	fmt.Println("READY")

	run, final := os.Getenv(envRun), os.Getenv(envFinal) == "true"
	target := os.Getenv(envTarget)
	batches := 40
	if final {
		batches = 5
	}
	for i := range batches {
		b := events.Batch{
			// Six instances: six OrderKeys, so that several deliveries
			// are in flight at once.
			Instance: events.Instance{ID: fmt.Sprintf("inst-%d", i%6), ElementKey: "woocommercerest"},
			Endpoint: events.Endpoint{URL: target, Key: []byte("whsec_crash")},
			Source:   events.FromWebhook,
		}
		for j := range 1 + i%3 {
			id := fmt.Sprintf("run%s-%d-%d", run, i, j)
			date := time.Date(2026, 3, 14, 15, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
			b.Events = append(b.Events, events.Event{
				ID:   events.NewID(b.Instance.ID, "customers", id, events.Created, date),
				Type: events.Created, ObjectType: "customers", ObjectID: id, Date: date,
			})
		}
		if err := n.Publish(ctx, b); err != nil {
			return fail(err)
		}
		// Accepted: from here on, losing them is a bug.
		for _, note := range events.Notifications(b, 20) {
			fmt.Println("ACCEPTED " + note.Message.EventID)
		}
		time.Sleep(8 * time.Millisecond)
	}
	if !final {
		select {} // until killed
	}
	for {
		eps, err := db.Outbox().Endpoints(ctx)
		if err != nil {
			return fail(err)
		}
		if len(eps) == 0 {
			break
		}
		if eps[0].Dead > 0 {
			return fail(fmt.Errorf("%d notifications dead-lettered", eps[0].Dead))
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-ran; err != nil {
		return fail(err)
	}
	return 0
}

// ---------------------------------------------------------------------------
