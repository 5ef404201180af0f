package notify

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
)

// Defaults of [Config].
const (
	DefaultTimeout      = 15 * time.Second
	DefaultConcurrency  = 4
	DefaultFailingAfter = 4
	// MaxResponseBody is how much of a response body is read and kept with
	// the attempt.
	MaxResponseBody = 64 << 10
)

// UserAgent is sent with every notification unless Config.UserAgent is set.
const UserAgent = "elementevents/0.1 (+https://github.com/a12b7632/elementevents)"

// Config configures a [Notifier]. The zero value is usable: every field
// documents its default.
type Config struct {
	// Outbox stores notifications until delivered. Default: a new
	// [MemoryOutbox], which keeps nothing across restarts.
	Outbox Outbox

	// Clock drives every timing rule. Default: the real clock.
	Clock clockwork.Clock

	// Logger receives delivery logs; signing keys and bodies are never
	// logged, and URLs are logged without credentials or query. Default:
	// slog.Default().
	Logger *slog.Logger

	// Client sends the requests. Redirects are never followed, whatever
	// its CheckRedirect says. Default: a client whose transport dials
	// through Guard. A Client you supply is copied and cannot drop the
	// guard: its Transport is guarded by [netguard.Guard.RoundTripper] (an
	// *http.Transport is cloned and dials through Guard; any other
	// RoundTripper sees only URLs that Guard.CheckURL passes, and must
	// dial through Guard.DialContext if it dials). A client with no Jar
	// and no Timeout adds nothing the Notifier uses (it times attempts on
	// Clock and never follows redirects), so requests go to its Transport
	// directly.
	Client *http.Client

	// Guard is the SSRF guard of every request, checked at dial time on
	// the resolved address: by default every non-public address is
	// refused, and the delivery is dead-lettered. A callback URL that it
	// refuses without resolving (an IP literal, a numeric host, localhost)
	// is refused by Publish.
	Guard netguard.Guard

	// Timeout bounds each attempt, response included. Default 15 s.
	Timeout time.Duration

	// Concurrency is the number of attempts in flight per endpoint.
	// Default 4.
	Concurrency int

	// Schedule is the delay before each attempt, the first included; its
	// length is the number of attempts. Default [DefaultSchedule].
	Schedule []time.Duration

	// Jitter varies each delay by up to this fraction either way. Zero
	// means [DefaultJitter]; negative disables jitter.
	Jitter float64

	// PollingBatchSize and WebhookBatchSize are the most events per
	// notification for each source. Defaults 10 and 20.
	PollingBatchSize, WebhookBatchSize int

	// RetryClientErrors retries 4xx answers (other than 408, 410, 425 and
	// 429) on the schedule instead of dead-lettering them at once.
	RetryClientErrors bool

	// FailingAfter is the number of consecutive failed attempts to an
	// endpoint after which OnFailing is called. Default 4.
	FailingAfter int

	// UserAgent is sent with every request. Default [UserAgent].
	UserAgent string

	// OnAttempt, if set, is called after every attempt.
	OnAttempt func(AttemptInfo)
	// OnFailing, if set, is called when an endpoint reaches FailingAfter
	// consecutive failures.
	OnFailing func(endpoint string, failures int)
	// OnExhausted, if set, is called when a notification has used every
	// attempt and is dead-lettered.
	OnExhausted func(Delivery)
	// OnDisabled, if set, is called when an endpoint is disabled (it
	// answered 410 Gone).
	OnDisabled func(endpoint, reason string)
}

// AttemptInfo describes one attempt, for Config.OnAttempt.
type AttemptInfo struct {
	// DeliveryID is the notification id.
	DeliveryID string
	// Endpoint is the callback URL.
	Endpoint string
	// Number counts attempts of this delivery from 1.
	Number int
	// Attempt is the record stored in the outbox.
	Attempt
	// Outcome says what follows.
	Outcome Outcome
	// NextAttempt is when the next attempt is due, for OutcomeRetry.
	NextAttempt time.Time
}

// Outcome is what an attempt led to.
type Outcome string

// The outcomes of an attempt.
const (
	OutcomeDelivered Outcome = "delivered"
	OutcomeRetry     Outcome = "retry"
	OutcomeDead      Outcome = "dead"
	OutcomeDisabled  Outcome = "disabled"
)

func (c Config) withDefaults() Config {
	if c.Outbox == nil {
		c.Outbox = NewMemoryOutbox()
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency
	}
	if len(c.Schedule) == 0 {
		c.Schedule = DefaultSchedule
	}
	if c.Jitter == 0 {
		c.Jitter = DefaultJitter
	}
	if c.PollingBatchSize <= 0 {
		c.PollingBatchSize = events.DefaultPollingBatchSize
	}
	if c.WebhookBatchSize <= 0 {
		c.WebhookBatchSize = events.DefaultWebhookBatchSize
	}
	if c.FailingAfter <= 0 {
		c.FailingAfter = DefaultFailingAfter
	}
	return c.withSenderDefaults()
}

// withSenderDefaults fills in the defaults of the fields a [Sender] uses.
func (c Config) withSenderDefaults() Config {
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.UserAgent == "" {
		c.UserAgent = UserAgent
	}
	var client http.Client
	if c.Client != nil {
		client = *c.Client
	}
	client.Transport = c.Guard.RoundTripper(client.Transport)
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Client = &client
	return c
}
