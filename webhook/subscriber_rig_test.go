package webhook_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/internal/logbuf"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/events/eventstest"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
	"github.com/a12b7632/elementevents/webhook"
)

// subT0 is when the subscription tests start, on their fake clock.
var subT0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

const (
	subKey      = "ck_subscriber_key"
	subSecret   = "cs_subscriber_consumer_secret"
	subInstance = "42"
)

// subRig is a fake WooCommerce store on http (so OAuth 1.0a), a Handler
// served on loopback as the host's public URL, a Subscriber and the
// recorder both publish to, all on one fake clock.
type subRig struct {
	clock   *clockwork.FakeClock
	store   *vendortest.WooCommerce
	rec     *eventstest.Recorder
	logs    *logbuf.Buffer
	public  *httptest.Server
	sub     *webhook.Subscriber
	cfg     webhook.SubscriberConfig
	backMu  sync.Mutex
	backs   []string // the Backfill calls, "object since"
	backErr error

	mu   sync.Mutex
	inst *element.Instance // the instance the host keeps, as Reconcile returned it
}

// subInstanceBody is the documented webhook instance body, with the
// store's URL and credentials and the objects given.
func subInstanceBody(storeURL, vendorType, objects string) string {
	return fmt.Sprintf(`{
  "element": {"key": "woocommercerest"},
  "configuration": {
    "store.url": %q,
    "oauth.api.key": %q,
    "oauth.api.secret": %q,
    "event.notification.enabled": true,
    "event.vendor.type": %q,
    "event.objects": %q,
    "event.notification.callback.url": "https://consumer.example.com/callback",
    "event.notification.signature.key": "consumer-signing-key"
  },
  "tags": ["Docs"],
  "name": "API_WEBHOOK"
}`, storeURL, subKey, subSecret, vendorType, objects)
}

func newSubRig(t *testing.T, mod func(*webhook.SubscriberConfig)) *subRig {
	t.Helper()
	r := &subRig{clock: clockwork.NewFakeClockAt(subT0), rec: &eventstest.Recorder{}, logs: &logbuf.Buffer{}}
	r.store = vendortest.ServeWooCommerce(t, vendortest.WooConfig{Key: subKey, Secret: subSecret, Clock: r.clock})
	logger := slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// The public server exists before the Handler: the Subscriber needs
	// its URL, and the Handler needs the Subscriber.
	var (
		hmu     sync.Mutex
		handler http.Handler = http.NotFoundHandler()
	)
	mux := http.NewServeMux()
	mux.Handle("POST /events/{elementKey}/{instanceID}", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		hmu.Lock()
		h := handler
		hmu.Unlock()
		h.ServeHTTP(w, req)
	}))
	r.public = httptest.NewServer(mux)
	t.Cleanup(r.public.Close)

	r.cfg = webhook.SubscriberConfig{
		PublicURL: r.public.URL,
		Guard:     netguard.Guard{AllowAddrPorts: []netip.AddrPort{addrOf(t, r.store.URL())}},
		Sink:      r.rec, Clock: r.clock, Logger: logger,
		Backfill: r.backfill(t),
	}
	if mod != nil {
		mod(&r.cfg)
	}
	var err error
	r.sub, err = webhook.NewSubscriber(r.cfg)
	require.NoError(t, err)
	h, err := webhook.New(webhook.Config{
		Resolve: func(_ context.Context, _, id string) (*element.Instance, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.inst == nil || r.inst.ID != id {
				return nil, webhook.ErrUnknownInstance
			}
			return r.inst, nil
		},
		Sink: r.rec, Clock: r.clock, Logger: logger, Subscriber: r.sub,
	})
	require.NoError(t, err)
	hmu.Lock()
	handler = h
	hmu.Unlock()

	inst, err := element.Parse([]byte(subInstanceBody(r.store.URL(), "webhooks", "customers")))
	require.NoError(t, err)
	inst.ID = subInstance
	r.inst = inst
	return r
}

// backfill is the Backfill of the rig, as a host wires it: the poller's
// Backfill, on a poller made for the webhook instance (with its
// definition's default resources) the first time and kept, so that what it
// remembers spans the gap fills.
func (r *subRig) backfill(t *testing.T) func(ctx context.Context, inst *element.Instance, object string, since time.Time) error {
	var (
		mu sync.Mutex
		p  *poller.Poller
	)
	return func(ctx context.Context, inst *element.Instance, object string, since time.Time) error {
		r.backMu.Lock()
		r.backs = append(r.backs, object+" "+since.UTC().Format(time.RFC3339))
		err := r.backErr
		r.backMu.Unlock()
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if p == nil {
			store, _ := inst.Configuration.Get("store.url")
			p, err = poller.New(poller.Config{
				Instance: inst, Sink: r.rec, Clock: r.clock, Logger: slog.New(slog.DiscardHandler),
				Guard: netguard.Guard{AllowAddrPorts: []netip.AddrPort{addrOf(t, store)}},
			})
			if err != nil {
				return err
			}
		}
		return p.Backfill(ctx, object, since).Err
	}
}

func addrOf(t *testing.T, raw string) netip.AddrPort {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return netip.MustParseAddrPort(u.Host)
}

// reconcile reconciles the host's instance and keeps what Reconcile
// returns, as a host persists it.
func (r *subRig) reconcile(t *testing.T) error {
	t.Helper()
	r.mu.Lock()
	inst := r.inst
	r.mu.Unlock()
	got, err := r.sub.Reconcile(t.Context(), inst)
	require.NotNil(t, got)
	r.mu.Lock()
	r.inst = got
	r.mu.Unlock()
	return err
}

// writes returns the requests to the webhooks resource since log index
// from that change something.
func (r *subRig) writes(from int) []string {
	var out []string
	for _, q := range r.store.Log().Since(from) {
		if q.Resource == "webhooks" && q.Method != http.MethodGet {
			out = append(out, q.Method+" "+strings.TrimPrefix(q.Path, vendortest.WooAPIPath))
		}
	}
	return out
}

// ours returns the store's webhooks named as the instance's, as
// "topic status".
func (r *subRig) ours() []string {
	var out []string
	for _, h := range r.store.Webhooks() {
		if strings.HasPrefix(h.Name, "elementevents "+subInstance+" ") {
			out = append(out, h.Topic+" "+h.Status)
		}
	}
	slices.Sort(out)
	return out
}

// summary returns the events recorded since the last call, as "TYPE id",
// and the statuses as "STATE".
func (r *subRig) summary() (evs []string, statuses []string, ids []string) {
	for _, b := range r.rec.Take() {
		if b.Status != nil {
			statuses = append(statuses, string(b.Status.State))
			continue
		}
		for _, e := range b.Events {
			evs = append(evs, string(e.Type)+" "+e.ObjectID)
			ids = append(ids, e.ID)
		}
	}
	return evs, statuses, ids
}

// eventsOf flattens batches, for tests that need their fields.
func eventsOf(bs []events.Batch) []events.Event {
	var out []events.Event
	for _, b := range bs {
		out = append(out, b.Events...)
	}
	return out
}

func newSubscriber(cfg webhook.SubscriberConfig) (*webhook.Subscriber, error) {
	return webhook.NewSubscriber(cfg)
}
