package webhook

import (
	"errors"
	"fmt"
	"strings"

	"github.com/a12b7632/elementevents/internal/quote"
)

// Errors of the handler and the receiver. Test for them with [errors.Is].
// Verification errors also wrap the signature package's sentinels.
var (
	// ErrUnknownInstance reports a request for an instance the resolver
	// does not know (answered 404).
	ErrUnknownInstance = errors.New("webhook: unknown instance")

	// ErrEventsDisabled reports a request for an instance whose events are
	// not enabled (answered 404).
	ErrEventsDisabled = errors.New("webhook: events disabled for the instance")

	// ErrBadSignature reports a request whose signature does not verify
	// (answered 401).
	ErrBadSignature = errors.New("webhook: signature does not verify")

	// ErrBadBody reports a body that cannot be read as the element
	// definition says (answered 400).
	ErrBadBody = errors.New("webhook: unreadable body")

	// ErrTooLarge reports a body over the configured limit (answered 413).
	ErrTooLarge = errors.New("webhook: body too large")
)

// SubscriptionError reports a vendor webhook subscription that could not
// be read, created, changed or deleted (see [Subscriber]). It names the
// instance and, when one can fix it, the configuration key; it never holds
// a credential or a signature. Test for it with errors.As.
type SubscriptionError struct {
	// Instance and Element name the instance and its element.
	Instance, Element string
	// Op is what failed: "configure", "list", "create customer.created",
	// "update ...", "delete ...".
	Op string
	// StatusCode is the vendor's answer, or 0 when there was none (a
	// network error, a configuration problem).
	StatusCode int
	// Code and Message are the vendor's error code and message, when its
	// answer had them ({"code","message"}, as WooCommerce answers).
	Code, Message string
	// ConfigKey is the configuration key, or keys, that would fix it:
	// the credentials after a 401, the store URL after a network error.
	ConfigKey string
	// Err is the cause.
	Err error
}

// Error names the instance, the step, the vendor's answer and the
// configuration key to fix; never a credential.
func (e *SubscriptionError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "webhook: instance %s (%s): subscription %s: ", quote.String(e.Instance), e.Element, e.Op)
	switch {
	case e.StatusCode != 0:
		fmt.Fprintf(&b, "vendor answered %d", e.StatusCode)
		if e.Code != "" {
			b.WriteString(" " + e.Code)
		}
		if e.Message != "" {
			b.WriteString(": " + quote.String(e.Message))
		}
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	}
	if e.ConfigKey != "" {
		b.WriteString(" (configuration key " + e.ConfigKey + ")")
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *SubscriptionError) Unwrap() error { return e.Err }
