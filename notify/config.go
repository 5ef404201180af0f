package notify

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/events"
)

// Defaults of [Config], as its fields document them.
const (
	defaultConcurrency  = 4
	defaultFailingAfter = 4
)

// Config configures a [Notifier]. The zero value is usable: every field
// documents its default.
type Config struct {
	// Outbox stores notifications until delivered. Default: a
	// [NewMemoryOutbox], which keeps nothing across restarts.
	Outbox Outbox

	// Clock drives every timing rule. Default: the real clock.
	Clock clockwork.Clock

	// Logger receives delivery logs; signing keys and bodies are never
	// logged, and URLs are logged without credentials or query. Default:
	// slog.Default().
	Logger *slog.Logger

	// Policy decides how notifications are cut, sent and retried: client,
	// SSRF guard, timeout, schedule, jitter, Retry-After bounds, and the
	// rest; each of its fields documents its default.
	Policy DeliveryPolicy

	// Endpoint, if set, gives the current endpoint of an instance: each
	// attempt of a delivery goes to the URL it returns for the delivery's
	// instance (see [DeliveryInstance]), signed with its Key (unsigned
	// when the Key is empty); false keeps the endpoint and key stored with
	// the delivery. This is how a change of an instance's callback URL or
	// signature key applies to the notifications not yet sent. The URL
	// meets the same rules as a stored one: the SSRF guard refuses it at
	// dial time, and one that is not an absolute http(s) URL is
	// dead-lettered. Claiming, the per-endpoint Concurrency, the failure
	// count and the disabling of an endpoint (410) still go by the stored
	// endpoint, as do the endpoint names passed to OnFailing and
	// OnDisabled; AttemptInfo.Endpoint is the URL attempted. It is called
	// once per attempt, from several goroutines at once, and must be fast
	// and safe for concurrent use. Default: nil, every delivery goes where
	// it was stored.
	Endpoint func(instanceID string) (events.Endpoint, bool)

	// Concurrency is the number of attempts in flight per endpoint.
	// Default 4.
	Concurrency int

	// FailingAfter is the number of consecutive failed attempts to an
	// endpoint after which OnFailing is called. Default 4.
	FailingAfter int

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

	// Tracer, if set, follows every notification from the Publish call
	// that stored it to each attempt to deliver it (the otel module's
	// tracer does, with OpenTelemetry). Default nil: no tracing.
	Tracer Tracer
}

// Tracer follows notifications through the outbox for a tracing system.
// Its methods are called from several goroutines at once and must be
// fast; the Notifier never waits on a trace.
type Tracer interface {
	// Capture returns the trace context of ctx, the context Publish was
	// called with, to be stored with each delivery of the batch as
	// Delivery.Trace (for W3C Trace Context, the traceparent value); ""
	// when ctx carries none.
	Capture(ctx context.Context) string

	// StartAttempt is called before each attempt to deliver d, the
	// number-th (from 1), and returns a function the Notifier calls with
	// the attempt's outcome once it is recorded. The headers it sets on h
	// are sent with the attempt's request (for W3C Trace Context,
	// traceparent and tracestate), so that a receiver's trace continues
	// the attempt's; the Notifier's own headers (signature, id,
	// timestamp, content type) are set after them and win.
	StartAttempt(d *Delivery, number int, h http.Header) (end func(AttemptInfo))
}

// AttemptInfo describes one attempt, for Config.OnAttempt.
type AttemptInfo struct {
	// DeliveryID is the notification id.
	DeliveryID string
	// Endpoint is the callback URL attempted: the delivery's, or the one
	// Config.Endpoint returned for it.
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

// withDefaults returns c with the defaults of its own fields filled in;
// the Policy's are the Sender's to fill.
func (c Config) withDefaults() Config {
	if c.Outbox == nil {
		c.Outbox = NewMemoryOutbox()
	}
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Concurrency <= 0 {
		c.Concurrency = defaultConcurrency
	}
	if c.FailingAfter <= 0 {
		c.FailingAfter = defaultFailingAfter
	}
	return c
}
