package otel

import "go.opentelemetry.io/otel/attribute"

// The metrics. Those the OpenTelemetry semantic conventions name keep
// their names; the others carry the elementevents. prefix.
const (
	// MetricClientDuration is the duration of the HTTP requests made to
	// vendors (elementevents.operation "poll") and to callback URLs
	// ("deliver"), in seconds.
	MetricClientDuration = "http.client.request.duration"
	// MetricServerDuration is the duration of the inbound webhook
	// requests, in seconds.
	MetricServerDuration = "http.server.request.duration"
	// MetricCycleDuration is the duration of each poll cycle of a
	// resource, in seconds, by outcome.
	MetricCycleDuration = "elementevents.poll.cycle.duration"
	// MetricRecords counts the records poll cycles fetched.
	MetricRecords = "elementevents.poll.records"
	// MetricEvents counts the events emitted, by source (polling or
	// webhook) and type.
	MetricEvents = "elementevents.events"
	// MetricNotifications counts delivery attempts by outcome:
	// delivered, retried, dead or disabled.
	MetricNotifications = "elementevents.notifications"
	// MetricPending is the number of notifications waiting for each
	// callback URL.
	MetricPending = "elementevents.notifications.pending"
	// MetricOldestAge is the age of each callback URL's oldest pending
	// notification, in seconds; 0 when none is pending.
	MetricOldestAge = "elementevents.notifications.oldest.age"
	// MetricDisabledEndpoints is the number of callback URLs disabled
	// (their receiver answered 410 Gone).
	MetricDisabledEndpoints = "elementevents.endpoints.disabled"
	// MetricWebhookRequests counts inbound webhook requests by outcome.
	MetricWebhookRequests = "elementevents.webhook.requests"
	// MetricInstances is the number of instances by state.
	MetricInstances = "elementevents.instances"
)

// The attributes of our own. Metrics carry only bounded ones: element
// key, resource, outcome, event type, source, operation, callback URL
// (without its query) and instance state; spans also carry ids.
const (
	// AttrElement is the element key ("woocommercerest").
	AttrElement = attribute.Key("elementevents.element")
	// AttrResource is the polled resource ("customers").
	AttrResource = attribute.Key("elementevents.resource")
	// AttrOutcome is what became of a cycle, attempt or request.
	AttrOutcome = attribute.Key("elementevents.outcome")
	// AttrEventType is CREATED, UPDATED or DELETED.
	AttrEventType = attribute.Key("elementevents.event.type")
	// AttrSource is where events came from: polling or webhook.
	AttrSource = attribute.Key("elementevents.source")
	// AttrOperation says what an outbound HTTP request was for: poll (a
	// vendor fetch) or deliver (a notification).
	AttrOperation = attribute.Key("elementevents.operation")
	// AttrEndpoint is a callback URL without user info, query or
	// fragment.
	AttrEndpoint = attribute.Key("elementevents.endpoint")
	// AttrInstanceState is an engine.InstanceState.
	AttrInstanceState = attribute.Key("elementevents.instance.state")
	// AttrInstance is an instance id (spans only).
	AttrInstance = attribute.Key("elementevents.instance.id")
	// AttrNotification is a notification's eventId (spans only).
	AttrNotification = attribute.Key("elementevents.notification.id")
	// AttrPages, AttrRecords and AttrEventCount count what a poll cycle
	// fetched and emitted (spans only).
	AttrPages      = attribute.Key("elementevents.pages")
	AttrRecords    = attribute.Key("elementevents.records")
	AttrEventCount = attribute.Key("elementevents.events")
)

// The values of AttrOutcome for poll cycles.
const (
	CycleOK      = "ok"
	CyclePartial = "partial"
	CycleError   = "error"
)

// The values of AttrOperation and AttrSource.
const (
	operationPoll    = "poll"
	operationDeliver = "deliver"
	sourcePolling    = "polling"
	sourceWebhook    = "webhook"
)
