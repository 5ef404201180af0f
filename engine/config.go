package engine

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendorauth"
	"github.com/a12b7632/elementevents/webhook"
)

// ErrConfig reports a Config that New cannot use; the error names the
// field.
var ErrConfig = errors.New("engine: bad configuration")

// Config configures an [Engine]. The zero value runs everything in
// memory; every field documents its default.
type Config struct {
	// Store keeps the instances. Default: [NewMemoryInstanceStore], which
	// keeps nothing across restarts; boltstore and riverstore keep them
	// durably.
	Store InstanceStore

	// Events keeps every notification with its status and attempts.
	// Default: [NewMemoryEventLog] with its default bound.
	Events EventLog

	// Retention is how long Events keeps a notification; Run prunes older
	// ones every hour (and at start). Default [DefaultRetention] (7 days);
	// negative keeps them until the log's own bound drops them.
	Retention time.Duration

	// Notify configures the Notifier that delivers every instance's
	// notifications: its Outbox (default in memory), Policy (SSRF guard,
	// retries, timeouts), Concurrency and hooks. The engine logs every
	// delivery into Events on the way, and sends each attempt to the
	// instance's current callback URL and key (the engine sets its
	// Endpoint). Its Clock and Logger default to the engine's.
	Notify notify.Config

	// State remembers what the pollers saw. Default: poller.NewMemoryState.
	State poller.State

	// Tokens keeps the OAuth 2 tokens of the instances. Default: a memory
	// store (vendorauth.NewMemoryTokenStore).
	Tokens vendorauth.TokenStore

	// Poller returns the base poller configuration of an instance (its
	// Source, Guard, Lookback, FirstRun, MaxPages and so on). The engine
	// sets Instance, Sink, State, Clock and Tokens, and Logger when nil.
	// Default: the zero poller.Config, which polls the vendor over HTTP
	// through the SSRF guard.
	Poller func(inst *element.Instance) poller.Config

	// Webhook is the base configuration of the inbound webhook handler
	// ([Engine.Webhooks]): MaxBodyBytes, Deduper, SignatureTolerance,
	// Subscriber, Definition. The engine sets Resolve, Sink, Clock and,
	// when nil, Logger.
	Webhook webhook.Config

	// Subscriptions turns on the registration of the webhook instances'
	// vendor webhooks when its PublicURL is set (the public base URL where
	// vendors reach [Engine.Webhooks]; see webhook.SubscriberConfig):
	// every webhook instance that is created, changed or enabled is
	// reconciled with its vendor in the background (WooCommerce: one
	// webhook per topic, delivered to PublicURL/events/{elementKey}/{id}),
	// repaired every Interval while Run runs, and removed there when it is
	// deleted or disabled. Set its Guard (the SSRF guard of the vendor
	// calls), and Interval and Timeout as needed. The engine sets Sink,
	// Clock, Tokens and Backfill, and Logger when nil. Default: off.
	Subscriptions webhook.SubscriberConfig

	// Claimer, when set, shares the polling with other replicas running
	// the same Store: each replica schedules every instance at the start
	// of each interval (counted from the Unix epoch, plus up to a tenth of
	// it at random) and polls only the intervals it claims. Default nil:
	// this process polls every instance it runs.
	Claimer Claimer

	// Workers is the number of instances polled at once. Default 16.
	Workers int

	// Reload is how often Run reads the Store again for instances another
	// process wrote. Default one minute; negative never reloads (the
	// engine is the store's only writer).
	Reload time.Duration

	// NewID returns the id of an instance created without one. Default: a
	// random decimal number of up to 18 digits.
	NewID func() string

	// Clock drives the schedule, the pollers and the notifier. Default:
	// the real clock.
	Clock clockwork.Clock

	// Logger receives the engine's logs. Default: slog.Default().
	Logger *slog.Logger
}

// withDefaults returns c with its defaults filled in, or an error naming
// the field at fault.
func (c Config) withDefaults() (Config, error) {
	switch {
	case c.Workers < 0:
		return c, fmt.Errorf("%w: Workers is %d, must be 0 (default) or more", ErrConfig, c.Workers)
	}
	if c.Store == nil {
		c.Store = NewMemoryInstanceStore()
	}
	if c.Events == nil {
		c.Events = NewMemoryEventLog(MemoryEventLogConfig{})
	}
	if c.Notify.Outbox == nil {
		c.Notify.Outbox = notify.NewMemoryOutbox()
	}
	if c.Retention == 0 {
		c.Retention = DefaultRetention
	}
	if c.State == nil {
		c.State = poller.NewMemoryState()
	}
	if c.Tokens == nil {
		c.Tokens = vendorauth.NewMemoryTokenStore()
	}
	if c.Poller == nil {
		c.Poller = func(*element.Instance) poller.Config { return poller.Config{} }
	}
	if c.Workers == 0 {
		c.Workers = 16
	}
	if c.Reload == 0 {
		c.Reload = time.Minute
	}
	if c.NewID == nil {
		c.NewID = randomID
	}
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Notify.Clock == nil {
		c.Notify.Clock = c.Clock
	}
	if c.Notify.Logger == nil {
		c.Notify.Logger = c.Logger.With("component", "notify")
	}
	if c.Webhook.Clock == nil {
		c.Webhook.Clock = c.Clock
	}
	if c.Webhook.Logger == nil {
		c.Webhook.Logger = c.Logger.With("component", "webhook")
	}
	return c, nil
}

// randomID is the default Config.NewID: a random number of up to 18
// decimal digits.
func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return strconv.FormatUint(binary.BigEndian.Uint64(b[:])%1_000_000_000_000_000_000, 10)
}

// randomToken returns a new instance token: 32 random bytes in base64url.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
