package webhook

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/vendorauth"
)

// Defaults of [SubscriberConfig].
const (
	defaultReconcileInterval = 15 * time.Minute
	defaultVendorTimeout     = 30 * time.Second
)

// SubscriberConfig configures a [Subscriber]. Zero values are documented
// defaults.
type SubscriberConfig struct {
	// PublicURL is the host's public inbound base URL, where vendors reach
	// the [Handler] ("https://hooks.example.com"): a webhook's delivery URL
	// is PublicURL + "/events/{elementKey}/{instanceID}". Required; an
	// absolute http(s) URL without query.
	PublicURL string

	// Guard is the SSRF guard every request to the vendor dials through;
	// an instance's store URL is a tenant's input. The zero value refuses
	// loopback, private and other non-public addresses.
	Guard netguard.Guard

	// Definition finds an element's definition by key. Default: the
	// Lookup of [element.Default].
	Definition func(key string) (*element.Definition, bool)

	// Sink receives the instance status notifications: one
	// events.SubscriptionFailing when an instance's webhooks cannot be set
	// up or repaired, one events.Recovered once they are. Usually the
	// *notify.Notifier. Nil means no status notifications.
	Sink events.Sink

	// Backfill fills the gap a broken subscription left: it is called
	// after a webhook of ours was found disabled, paused or deleted and
	// was repaired, once per object ("customers") whose element or
	// instance defines a poll resource, with the time of the last webhook
	// the Handler accepted for the instance (else of the last reconcile
	// that found the webhooks healthy). It should poll that resource once
	// from since, publishing to the same Sink: event ids are deterministic,
	// so a change seen both ways is one event. A failed call is tried
	// again at the next reconcile. Nil means no gap fill.
	Backfill func(ctx context.Context, inst *element.Instance, object string, since time.Time) error

	// Clock dates statuses and drives Run. Default: the real clock.
	Clock clockwork.Clock

	// Logger receives a warning when an instance's subscription fails and
	// when it recovers, and at info level each repair. Default:
	// slog.Default().
	Logger *slog.Logger

	// Interval is how often Run reconciles each instance. Default: the
	// instance's event.poller.refresh_interval, else 15 minutes.
	Interval time.Duration

	// Timeout bounds each request to the vendor. Default 30 s.
	Timeout time.Duration

	// Tokens keeps the OAuth 2 tokens of instances whose element
	// authenticates with oauth2-refresh or oauth2-client, under the
	// element key + "/" + the instance id. Give it the store the poller
	// of the same instances uses: a rotated refresh token is good once.
	// Default: a new [vendorauth.NewMemoryTokenStore].
	Tokens vendorauth.TokenStore
}

// Subscriber registers the vendor webhooks of webhook-type instances and
// keeps them in place; see the package documentation's "Subscriptions".
// It is safe for concurrent use.
type Subscriber struct {
	publicURL  string
	definition func(key string) (*element.Definition, bool)
	sink       events.Sink
	backfill   func(ctx context.Context, inst *element.Instance, object string, since time.Time) error
	clock      clockwork.Clock
	log        *slog.Logger
	interval   time.Duration
	client     *http.Client
	guard      netguard.Guard
	tokens     vendorauth.TokenStore

	wake chan struct{} // tells Run an instance was added

	mu       sync.Mutex
	subs     map[string]*subscription // by instance ID
	lastSeen map[string]time.Time     // the last webhook accepted, by instance ID
}

// subscription is what the Subscriber keeps of one instance.
type subscription struct {
	busy sync.Mutex // one reconcile of the instance at a time

	// Guarded by Subscriber.mu.
	inst *element.Instance
	next time.Time // when Run reconciles it next

	// Guarded by busy.
	secret     string               // the webhook secret the vendor has, or will have
	pushSecret bool                 // every webhook of ours needs secret sent
	healthy    time.Time            // the last reconcile that left every webhook in place
	failing    bool                 // the last reconcile failed, and that was logged
	notified   bool                 // SubscriptionFailing was published
	gaps       map[string]time.Time // gap fills to run, by object: from when
}

// NewSubscriber returns a Subscriber for cfg, with the defaults filled in.
// It fails when PublicURL is not an absolute http(s) URL.
func NewSubscriber(cfg SubscriberConfig) (*Subscriber, error) {
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("webhook: SubscriberConfig.PublicURL must be an absolute http(s) URL without query, got %q", cfg.PublicURL)
	}
	s := &Subscriber{
		publicURL:  strings.TrimRight(cfg.PublicURL, "/"),
		definition: cfg.Definition,
		sink:       cfg.Sink,
		backfill:   cfg.Backfill,
		clock:      cmp.Or[clockwork.Clock](cfg.Clock, clockwork.NewRealClock()),
		log:        cmp.Or(cfg.Logger, slog.Default()),
		interval:   cfg.Interval,
		guard:      cfg.Guard,
		tokens:     cfg.Tokens,
		wake:       make(chan struct{}, 1),
		subs:       make(map[string]*subscription),
		lastSeen:   make(map[string]time.Time),
	}
	if s.definition == nil {
		s.definition = element.Default().Lookup
	}
	if s.tokens == nil {
		s.tokens = vendorauth.NewMemoryTokenStore()
	}
	s.client = &http.Client{
		Transport: cfg.Guard.RoundTripper(nil),
		Timeout:   cmp.Or(cfg.Timeout, defaultVendorTimeout),
		// A vendor's redirect could lead the signed request elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return s, nil
}

// Reconcile makes the vendor's webhooks of inst what its configuration
// asks for, and returns the instance to keep: inst itself, or, when the
// Subscriber generated the webhook secret, a copy with the secret set
// under the definition's Webhook.SecretKey. The host persists that copy
// and gives it to the [Handler], which verifies deliveries with it.
//
// For a webhook-type instance with events enabled, of an element with a
// subscription section, it lists the vendor's webhooks and, among ours
// (named "elementevents {instanceID} {topic}"; others' are never
// touched), creates the missing ones, updates those whose delivery URL,
// topic or secret is out of date or which are not active, and deletes
// those no longer configured; a second call sends no writes. For any
// other instance it removes ours, as [Subscriber.Remove] does. An
// instance of an element without a subscription section is left alone.
//
// Reconcile also adds the instance to those Run keeps reconciling. Errors
// are [*SubscriptionError]s, joined when several webhooks failed.
func (s *Subscriber) Reconcile(ctx context.Context, inst *element.Instance) (*element.Instance, error) {
	if inst == nil || inst.ID == "" {
		return inst, errors.New("webhook: Subscriber.Reconcile: the instance needs an ID")
	}
	def, ok := s.definition(inst.Element.Key)
	if !ok || def == nil {
		return inst, &SubscriptionError{Instance: inst.ID, Element: inst.Element.Key, Op: "configure", Err: errors.New("no element definition")}
	}
	if !def.Webhook.Subscription.Enabled() {
		return inst, nil
	}
	ev := inst.Configuration.Events
	if !ev.Enabled || ev.VendorType != "webhook" {
		return inst, s.Remove(ctx, inst)
	}
	sub := s.track(inst)
	sub.busy.Lock()
	defer sub.busy.Unlock()
	return s.reconcileLocked(ctx, sub, inst, def)
}

// reconcileLocked is Reconcile of a tracked instance; sub.busy is held.
func (s *Subscriber) reconcileLocked(ctx context.Context, sub *subscription, inst *element.Instance, def *element.Definition) (*element.Instance, error) {
	inst, err := s.withSecret(sub, inst, def)
	if err != nil {
		return inst, err
	}
	s.mu.Lock()
	sub.inst = inst
	s.mu.Unlock()
	err = s.reconcile(ctx, sub, inst, def)
	s.health(ctx, sub, inst, err)
	if err == nil {
		err = s.fillGaps(ctx, sub, inst, def)
	}
	return inst, err
}

// Remove deletes the vendor webhooks of ours for inst and stops
// reconciling it.
func (s *Subscriber) Remove(ctx context.Context, inst *element.Instance) error {
	if inst == nil || inst.ID == "" {
		return errors.New("webhook: Subscriber.Remove: the instance needs an ID")
	}
	s.mu.Lock()
	sub := s.subs[inst.ID]
	delete(s.subs, inst.ID)
	delete(s.lastSeen, inst.ID)
	s.mu.Unlock()
	if sub != nil {
		sub.busy.Lock()
		defer sub.busy.Unlock()
	}
	def, ok := s.definition(inst.Element.Key)
	if !ok || def == nil || !def.Webhook.Subscription.Enabled() {
		return nil
	}
	vc, err := newVendorClient(s, inst, def)
	if err != nil {
		return err
	}
	hooks, err := vc.list(ctx)
	if err != nil {
		return err
	}
	var errs []error
	prefix := hookNamePrefix(inst.ID)
	for _, h := range hooks {
		if strings.HasPrefix(h.name, prefix) {
			errs = append(errs, vc.remove(ctx, h))
		}
	}
	return errors.Join(errs...)
}

// Run reconciles every instance given to Reconcile, each at its interval
// after its last reconcile, until ctx ends; it returns ctx's error.
// Failures are reported as Reconcile's are, by status and log.
func (s *Subscriber) Run(ctx context.Context) error {
	for {
		due, wait := s.due()
		for _, sub := range due {
			s.reconcileDue(ctx, sub)
		}
		if len(due) > 0 {
			continue
		}
		var tick <-chan time.Time
		if wait > 0 {
			tick = s.clock.After(wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.wake:
		case <-tick:
		}
	}
}

// reconcileDue reconciles a tracked instance for Run, unless it was
// removed meanwhile: Run must not bring back the webhooks Remove deleted.
func (s *Subscriber) reconcileDue(ctx context.Context, sub *subscription) {
	sub.busy.Lock()
	defer sub.busy.Unlock()
	s.mu.Lock()
	inst := sub.inst
	tracked := s.subs[inst.ID] == sub
	s.mu.Unlock()
	if !tracked {
		return
	}
	def, ok := s.definition(inst.Element.Key)
	if !ok || def == nil {
		return
	}
	if _, err := s.reconcileLocked(ctx, sub, inst, def); err != nil {
		s.log.DebugContext(ctx, "webhook: reconcile failed", "instance", inst.ID, "error", err)
	}
}

// due returns the instances whose reconcile is due, and else how long
// until the next is (0 for none).
func (s *Subscriber) due() ([]*subscription, time.Duration) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []*subscription
	var wait time.Duration
	for _, sub := range s.subs {
		if d := sub.next.Sub(now); d <= 0 {
			due = append(due, sub)
			sub.next = now.Add(s.intervalOf(sub.inst))
		} else if wait == 0 || d < wait {
			wait = d
		}
	}
	return due, wait
}

// track returns the instance's subscription, adding it (and waking Run)
// the first time.
func (s *Subscriber) track(inst *element.Instance) *subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := s.subs[inst.ID]
	if sub == nil {
		sub = &subscription{inst: inst, gaps: map[string]time.Time{}}
		s.subs[inst.ID] = sub
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	sub.next = s.clock.Now().Add(s.intervalOf(inst))
	return sub
}

func (s *Subscriber) intervalOf(inst *element.Instance) time.Duration {
	return cmp.Or(s.interval, inst.Configuration.Events.RefreshInterval, defaultReconcileInterval)
}

// received records that the Handler accepted a webhook for an instance,
// the start of any gap a broken subscription leaves.
func (s *Subscriber) received(instanceID string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at.After(s.lastSeen[instanceID]) {
		s.lastSeen[instanceID] = at
	}
}

// lastReceived returns when the Handler last accepted a webhook for the
// instance; zero when it has not since the Subscriber started.
func (s *Subscriber) lastReceived(instanceID string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastSeen[instanceID]
}
