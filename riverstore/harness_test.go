package riverstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/poller"
	consumer "github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/riverstore"
	"github.com/a12b7632/elementevents/signature"
)

// testKey signs the test notifications.
var testKey = []byte("a-test-signing-key")

// fastRiver is River tuned for tests: jobs fetched within milliseconds
// of being inserted, no start-up jitter.
func fastRiver() *river.Config {
	return &river.Config{
		FetchCooldown:     5 * time.Millisecond,
		FetchPollInterval: 25 * time.Millisecond,
		TestOnly:          true,
		Logger:            quiet,
	}
}

// startReplica returns a started replica on pool with cfg's settings, the
// test ones filled in, stopped at the end of the test.
func startReplica(t *testing.T, pool *pgxpool.Pool, cfg riverstore.Config) *riverstore.Replica {
	t.Helper()
	r := newReplica(t, pool, cfg)
	require.NoError(t, r.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = r.Stop(ctx)
	})
	return r
}

func newReplica(t *testing.T, pool *pgxpool.Pool, cfg riverstore.Config) *riverstore.Replica {
	t.Helper()
	cfg.Pool = pool
	if cfg.River == nil {
		cfg.River = fastRiver()
	}
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	cfg.Policy.Guard.AllowPrivate = true
	if poll := cfg.Poller; poll != nil {
		cfg.Poller = func(inst *element.Instance) poller.Config {
			pc := poll(inst)
			pc.Guard.AllowPrivate = true // the fake vendor is on loopback too
			return pc
		}
	}
	r, err := riverstore.New(cfg)
	require.NoError(t, err)
	return r
}

// receiver is a consumer on loopback: it verifies every notification with
// receiver.Receiver (without its dedupe, so that duplicates are counted),
// answers as script says, and records what it accepted.
type receiver struct {
	srv *httptest.Server

	mu       sync.Mutex
	script   func(id string, n int) (status int, header http.Header) // n counts requests for id, from 1
	requests map[string]int                                          // by notification id
	accepted map[string]int                                          // 2xx answers, by notification id
	events   map[string]int                                          // accepted events, by event id
	statuses map[string]events.Status                                // accepted status notifications, by notification id
	inflight int
	maxIn    int
	hold     chan struct{} // when set, each request waits for it
}

// noDedupe is a receiver.Deduper that remembers nothing.
type noDedupe struct{}

func (noDedupe) Seen(context.Context, string) (bool, error)        { return false, nil }
func (noDedupe) Mark(context.Context, string, time.Duration) error { return nil }

func newReceiver(t testing.TB) *receiver {
	t.Helper()
	rc := &receiver{requests: map[string]int{}, accepted: map[string]int{}, events: map[string]int{}, statuses: map[string]events.Status{}}
	verify, err := consumer.New(consumer.Config{Keys: []signature.Key{testKey}, Deduper: noDedupe{}, Logger: quiet})
	require.NoError(t, err)
	verifyOnly := verify.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		id := req.Header.Get("Webhook-Id")
		rc.mu.Lock()
		rc.requests[id]++
		n := rc.requests[id]
		rc.inflight++
		rc.maxIn = max(rc.maxIn, rc.inflight)
		hold, script := rc.hold, rc.script
		rc.mu.Unlock()
		defer func() {
			rc.mu.Lock()
			rc.inflight--
			rc.mu.Unlock()
		}()
		if hold != nil {
			<-hold
		}
		status, header := http.StatusOK, http.Header(nil)
		if script != nil {
			status, header = script(id, n)
		}
		if status/100 == 2 {
			// Verify as a consumer would; a bad signature is a test failure.
			vr := httptest.NewRequestWithContext(req.Context(), http.MethodPost, "/", bytes.NewReader(body))
			vr.Header = req.Header.Clone()
			vw := httptest.NewRecorder()
			verifyOnly.ServeHTTP(vw, vr)
			if vw.Code != http.StatusOK {
				t.Errorf("notification %s does not verify: %d %s", id, vw.Code, vw.Body)
				status = vw.Code
			}
		}
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		if status/100 != 2 {
			return
		}
		var n2 events.Notification
		if err := json.Unmarshal(body, &n2); err != nil {
			t.Errorf("notification %s: %v", id, err)
			return
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.accepted[id]++
		if st := n2.Message.Status; st != nil {
			rc.statuses[id] = *st
		}
		for _, e := range n2.Message.Events {
			rc.events[events.NewID(n2.Message.InstanceID, e.ObjectType, e.ObjectID, e.EventType, e.Date)]++
		}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) setScript(f func(id string, n int) (int, http.Header)) {
	rc.mu.Lock()
	rc.script = f
	rc.mu.Unlock()
}

func (rc *receiver) acceptedCount(id string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.accepted[id]
}

func (rc *receiver) requestCount(id string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.requests[id]
}

// statusesOf returns the ids of the accepted status notifications of
// state.
func (rc *receiver) statusesOf(state events.StatusState) []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var ids []string
	for id, st := range rc.statuses {
		if st.State == state {
			ids = append(ids, id)
		}
	}
	return ids
}

// eventCounts returns a copy of the accepted events by id.
func (rc *receiver) eventCounts() map[string]int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make(map[string]int, len(rc.events))
	for k, v := range rc.events {
		out[k] = v
	}
	return out
}

// attempts collects OnAttempt calls.
type attempts struct {
	mu   sync.Mutex
	list []notify.AttemptInfo
}

func (a *attempts) add(i notify.AttemptInfo) {
	a.mu.Lock()
	a.list = append(a.list, i)
	a.mu.Unlock()
}

func (a *attempts) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.list)
}

func (a *attempts) of(id string) []notify.AttemptInfo {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []notify.AttemptInfo
	for _, i := range a.list {
		if i.DeliveryID == id {
			out = append(out, i)
		}
	}
	return out
}

// batch returns a polling batch of n CREATED events of objectType for
// instance, to endpoint, signed with testKey.
func batch(instance, objectType, endpoint string, first, n int) events.Batch {
	b := events.Batch{
		Instance: events.Instance{ID: instance, Name: "shop " + instance, ElementKey: "generic", Tags: []string{"test"}},
		Endpoint: events.Endpoint{URL: endpoint, Key: testKey},
		Source:   events.FromPolling,
	}
	date := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for i := first; i < first+n; i++ {
		id := strconv.Itoa(i)
		d := date.Add(time.Duration(i) * time.Second)
		b.Events = append(b.Events, events.Event{
			ID: events.NewID(instance, objectType, id, events.Created, d), Type: events.Created,
			ObjectType: objectType, ObjectID: id, ElementKey: "generic", HubKey: "general", Date: d, PollDate: d,
			Raw: json.RawMessage(`{"id":` + id + `}`),
		})
	}
	return b
}

// noteIDs returns the notification ids a batch becomes.
func noteIDs(b events.Batch) []string {
	var ids []string
	for _, n := range events.Notifications(b, 0) {
		ids = append(ids, n.Message.EventID)
	}
	return ids
}

// eventually waits up to d for cond, checking every 10 ms.
func eventually(t testing.TB, d time.Duration, cond func() bool, msg string, args ...any) {
	t.Helper()
	require.Eventually(t, cond, d, 10*time.Millisecond, append([]any{msg}, args...)...)
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// replicaStores returns n stores that open makes on one fresh schema,
// each on a pool of its own of maxConns connections, as n replicas would
// hold them.
func replicaStores[S any](t *testing.T, open func(*pgxpool.Pool, riverstore.StoreConfig) (S, error), maxConns int32, n int) []S {
	t.Helper()
	admin := connect(t, "", 2)
	schema := newSchema(t, admin)
	stores := make([]S, n)
	for i := range stores {
		s, err := open(connect(t, schema, maxConns), riverstore.StoreConfig{Schema: schema})
		require.NoError(t, err)
		stores[i] = s
	}
	return stores
}
