package webhook

import "github.com/a12b7632/elementevents/events"

// RequestInfo says what became of one inbound webhook request, for
// Config.OnRequest.
type RequestInfo struct {
	// ElementKey and Instance name the instance the request was for, as
	// resolved: both are empty when no instance was found (the path's
	// element key is the sender's to choose, so it is not repeated here).
	ElementKey, Instance string
	// Outcome is what the Handler did with it.
	Outcome Outcome
	// Status is the HTTP status answered.
	Status int
	// Events counts the events published by type, for OutcomeAccepted;
	// nil otherwise.
	Events map[events.Type]int
}

// Outcome is what the [Handler] did with a request.
type Outcome string

// The outcomes of a request.
const (
	// OutcomeAccepted: new events were published (200).
	OutcomeAccepted Outcome = "accepted"
	// OutcomeDuplicate: a delivery already accepted, or a body with
	// nothing new in it (200).
	OutcomeDuplicate Outcome = "duplicate"
	// OutcomePing: the vendor's test delivery (200).
	OutcomePing Outcome = "ping"
	// OutcomeUnknownInstance: no instance, an unknown one, or one whose
	// events are disabled (404).
	OutcomeUnknownInstance Outcome = "unknown_instance"
	// OutcomeUnauthorized: the signature did not verify (401).
	OutcomeUnauthorized Outcome = "unauthorized"
	// OutcomeInvalid: a method not allowed (405), or a body that could
	// not be read or understood (400).
	OutcomeInvalid Outcome = "invalid"
	// OutcomeTooLarge: a body over MaxBodyBytes (413).
	OutcomeTooLarge Outcome = "too_large"
	// OutcomeUnavailable: the instance lookup or the Sink failed; the
	// vendor should retry (503).
	OutcomeUnavailable Outcome = "unavailable"
	// OutcomeError: the instance's element cannot receive webhooks (500).
	OutcomeError Outcome = "error"
)
