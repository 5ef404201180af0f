package notify

import (
	"context"
	"errors"
	"time"

	"github.com/a12b7632/elementevents/signature"
)

// Errors of the outbox, the Notifier and the Sender. Test for them with
// [errors.Is]. A callback address that the SSRF guard refuses is
// [netguard.ErrRefused]; it is permanent: the delivery is dead-lettered,
// not retried.
var (
	// ErrNotFound reports a delivery id that the outbox does not hold (in
	// the state the call needs).
	ErrNotFound = errors.New("notify: delivery not found")

	// ErrRunning reports a second concurrent call of [Notifier.Run].
	ErrRunning = errors.New("notify: notifier already running")

	// ErrInvalidEndpoint reports a callback URL that can never be
	// delivered to (not an absolute http or https URL).
	ErrInvalidEndpoint = errors.New("notify: invalid callback URL")

	// ErrConfig reports a Config or a DeliveryPolicy that cannot work;
	// the error names the field ("Config.Policy.Jitter").
	ErrConfig = errors.New("notify: bad configuration")
)

// DeliveryState is where a delivery is in its life.
type DeliveryState string

// The delivery states. A delivered notification leaves the outbox.
const (
	// Pending deliveries wait for their next attempt (or are in flight,
	// under a lease).
	Pending DeliveryState = "pending"
	// Dead deliveries failed for good; they stay listable and can be
	// replayed.
	Dead DeliveryState = "dead"
)

// Delivery is one notification to one endpoint, with its delivery history.
type Delivery struct {
	// ID is the notification's eventId; unique in an outbox.
	ID string
	// Endpoint is the callback URL.
	Endpoint string
	// OrderKey groups deliveries that must arrive in order (instance and
	// object type); empty means no order. [DeliveryInstance] reads the
	// instance from it.
	OrderKey string
	// Key is the signing key, empty for unsigned notifications. It prints
	// as [REDACTED]; so does Endpoint's user info and secret query
	// parameters when a Delivery is printed or logged.
	Key signature.Key
	// Body is the notification JSON.
	Body []byte
	// Events is the number of events in Body.
	Events int
	// Trace is the trace context of the Publish call that stored the
	// delivery, as Config.Tracer captured it (for W3C Trace Context, the
	// traceparent value), so that every attempt can be linked to the poll
	// cycle or webhook that produced it; empty when none was captured.
	// Outboxes store it as they store Body.
	Trace string

	// Seq is set by the outbox on Enqueue and increases with every
	// delivery enqueued; it orders deliveries of one OrderKey.
	Seq uint64
	// CreatedAt is when the delivery was enqueued.
	CreatedAt time.Time
	// State is Pending or Dead.
	State DeliveryState
	// NextAttempt is when a pending delivery is next due.
	NextAttempt time.Time
	// LeaseUntil is set while a worker holds the delivery.
	LeaseUntil time.Time
	// Attempts lists every attempt made, oldest first.
	Attempts []Attempt
	// DeadReason says why a dead delivery was given up.
	DeadReason string
}

// Attempt is the record of one delivery attempt.
type Attempt struct {
	// At is when the request was sent.
	At time.Time
	// Status is the HTTP status, 0 when no response came.
	Status int
	// Latency is how long the attempt took.
	Latency time.Duration
	// Error describes a transport error or a failing status.
	Error string
	// Response is the start of the response body (at most 64 KiB).
	Response []byte
}

// EndpointStatus summarises one endpoint of an outbox.
type EndpointStatus struct {
	// URL is the callback URL.
	URL string
	// Disabled endpoints get no attempts until enabled; their deliveries
	// stay pending.
	Disabled bool
	// Reason says why the endpoint was disabled.
	Reason string
	// Pending and Dead count the endpoint's deliveries.
	Pending, Dead int
	// Oldest is when the pending delivery enqueued first (the lowest
	// Seq) was enqueued: its CreatedAt. Zero when none is pending.
	Oldest time.Time
	// NextDue is the earliest time Claim can return a delivery of this
	// endpoint. Only deliveries that no earlier one of their OrderKey
	// blocks count (the head of each OrderKey, and every delivery without
	// one), each at its NextAttempt, or at its lease's end if leased. Zero
	// when none is pending.
	NextDue time.Time
}

// Filter selects deliveries for [Outbox.List].
type Filter struct {
	// Endpoint, when set, selects one endpoint.
	Endpoint string
	// State, when set, selects Pending or Dead deliveries.
	State DeliveryState
	// Limit caps the result; zero means no cap.
	Limit int
}

// Outbox stores notifications until they are delivered. The [Notifier]
// writes to it before acknowledging a batch and delivers from it, so an
// Outbox that persists (an embedded file, PostgreSQL) makes delivery
// survive restarts. Implementations must be safe for concurrent use and
// pass the conformance suite in package notify/notifytest.
//
// Times are passed in by the caller (from its clock); an outbox never
// reads a clock itself.
type Outbox interface {
	// Enqueue stores deliveries atomically: when it returns nil all are
	// stored and none can be lost; on error none is. It sets Seq, State
	// (Pending), CreatedAt (now) and, if zero, NextAttempt (now). A
	// delivery whose ID is already held is skipped, not an error.
	Enqueue(ctx context.Context, now time.Time, ds ...Delivery) error

	// Claim leases up to max pending deliveries of endpoint that are due
	// at now (NextAttempt <= now and no unexpired lease), in Seq order,
	// until now+lease. A delivery is skipped while an earlier delivery of
	// the same endpoint with the same non-empty OrderKey is pending
	// (leased or not), so at most one delivery per endpoint and OrderKey
	// is ever out. A disabled endpoint yields nothing. The returned
	// deliveries are copies, but their Key and Body may share memory with
	// the outbox: callers must not modify them.
	Claim(ctx context.Context, endpoint string, now time.Time, lease time.Duration, max int) ([]Delivery, error)

	// Ack removes a delivery that was delivered; a (the successful
	// attempt) is for stores that keep a delivery log and may be dropped.
	// ErrNotFound if it is not pending.
	Ack(ctx context.Context, id string, a Attempt) error

	// Retry records a failed attempt, ends the lease and makes the
	// delivery due at next. ErrNotFound if it is not pending.
	Retry(ctx context.Context, id string, a Attempt, next time.Time) error

	// Release ends the lease without recording an attempt; the delivery is
	// due at next. Used when an endpoint is disabled or the Notifier stops
	// before sending. ErrNotFound if it is not pending.
	Release(ctx context.Context, id string, next time.Time) error

	// DeadLetter records the last attempt (if a is not zero) and moves the
	// delivery to Dead with reason; it no longer blocks its OrderKey.
	// ErrNotFound if it is not pending.
	DeadLetter(ctx context.Context, id string, a Attempt, reason string) error

	// Replay moves a dead delivery back to Pending, due at next, with its
	// attempt history kept. ErrNotFound if it is not dead.
	Replay(ctx context.Context, id string, next time.Time) error

	// List returns copies of the deliveries that match f, in Seq order.
	List(ctx context.Context, f Filter) ([]Delivery, error)

	// Endpoints reports every endpoint that has deliveries or is disabled,
	// sorted by URL.
	Endpoints(ctx context.Context) ([]EndpointStatus, error)

	// SetDisabled disables an endpoint (with a reason) or enables it.
	// Disabling an endpoint that has no deliveries still records it.
	SetDisabled(ctx context.Context, endpoint string, disabled bool, reason string) error
}
