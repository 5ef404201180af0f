package events

import (
	"crypto/sha256"
	"strconv"
	"time"
)

// StatusState is what an instance status notification reports.
type StatusState string

// The states of an instance status notification.
const (
	// NeedsReauthorization: the vendor refused the instance's refresh
	// token (OAuth 2 invalid_grant) or its credentials; polling of the
	// instance has stopped until the user authorises it again, which
	// means setting the configuration key the status names.
	NeedsReauthorization StatusState = "NEEDS_REAUTHORIZATION"

	// SubscriptionFailing: a webhook subscription at the vendor is
	// missing or disabled and could not be repaired; changes reach the
	// instance only through polling, if at all.
	SubscriptionFailing StatusState = "SUBSCRIPTION_FAILING"

	// DeletesHeld: one poll would have deleted more of the remembered
	// records than the delete guard allows; the deletes are held until
	// later snapshots confirm them or the host drops them.
	DeletesHeld StatusState = "DELETES_HELD"

	// Recovered: the condition an earlier status reported is over.
	Recovered StatusState = "RECOVERED"
)

// Status is an instance status: a notification that carries no events
// but says why the instance's events may stop, or that they resumed. It
// travels in [Message.Status], so that a Cloud Elements consumer, which
// reads only Message.Events, sees an empty notification and ignores it:
//
//	{"message": {"eventId": "...", "elementKey": "concur", "instanceId": "42",
//	  "instanceName": "...", "instanceTags": [], "events": [],
//	  "status": {"state": "NEEDS_REAUTHORIZATION", "date": "2026-12-07T12:00:00Z",
//	    "reason": "the vendor refused the refresh token (invalid_grant)",
//	    "configKey": "oauth.refresh.token"}}}
type Status struct {
	// State is what happened.
	State StatusState `json:"state"`

	// Date is when it was observed, RFC 3339 in UTC on the wire.
	Date time.Time `json:"date"`

	// Reason says what happened in a sentence for a person; it never
	// holds a credential.
	Reason string `json:"reason"`

	// ConfigKey is the configuration key that fixes it
	// ("oauth.refresh.token"), when there is one.
	ConfigKey string `json:"configKey,omitempty"`

	// ObjectType is the resource or webhook object concerned
	// ("customers"), when there is one.
	ObjectType string `json:"objectType,omitempty"`

	// Count is how many records or subscriptions are concerned (the held
	// deletes), when it applies.
	Count int `json:"count,omitempty"`

	// Cause is the state a Recovered status ends; empty otherwise.
	Cause StatusState `json:"cause,omitempty"`
}

// statusID derives a notification id from the instance and the status,
// so that a status published twice (two replicas, a retried hook) is one
// notification to a consumer that deduplicates by id.
func statusID(instanceID string, s *Status) string {
	h := sha256.New()
	var buf [20]byte
	for _, f := range [...]string{"status", instanceID, string(s.State), string(s.Cause), s.ObjectType, s.ConfigKey} {
		h.Write(strconv.AppendInt(buf[:0], int64(len(f)), 10))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	h.Write(strconv.AppendInt(buf[:0], s.Date.UnixNano(), 10))
	return uuidFromHash(h.Sum(nil))
}

// statusNotification is the one notification of a status batch.
func statusNotification(b Batch) Notification {
	tags := b.Instance.Tags
	if tags == nil {
		tags = []string{}
	}
	s := *b.Status
	s.Date = s.Date.UTC()
	return Notification{Message: Message{
		EventID:      statusID(b.Instance.ID, b.Status),
		ElementKey:   b.Instance.ElementKey,
		InstanceID:   b.Instance.ID,
		InstanceName: b.Instance.Name,
		InstanceTags: tags,
		Events:       []WireEvent{},
		Status:       &s,
	}}
}
