package vendortest

import "errors"

// The errors of the fakes, for errors.Is.
var (
	// ErrConfig is wrapped by the errors of constructors given an invalid
	// configuration, and of AddWebhook given an invalid topic.
	ErrConfig = errors.New("vendortest: invalid configuration")
	// ErrNoRecord is wrapped by the errors of changes to a record the
	// fake does not have.
	ErrNoRecord = errors.New("vendortest: no such record")
	// ErrWebhookRefused is wrapped by the errors of a webhook ping or
	// delivery that the delivery URL did not answer 2xx.
	ErrWebhookRefused = errors.New("vendortest: webhook refused")
)
