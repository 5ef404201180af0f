package events

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/json"
	"time"
)

// Notification is the body POSTed to a callback URL, compatible with Cloud
// Elements consumers:
//
//	{"message": {"eventId": "...", "elementKey": "woocommercerest",
//	  "instanceId": "123", "instanceName": "...", "instanceTags": [...],
//	  "events": [{"eventType": "CREATED", "objectType": "customers",
//	    "objectId": "42", "elementKey": "woocommercerest", "hubKey": "ecommerce",
//	    "date": "2026-11-24T12:00:00Z", "pollDate": "2026-11-24T12:00:05Z"}],
//	  "raw": {...}}}
//
// Dates are RFC 3339 in UTC.
type Notification struct {
	Message Message `json:"message"`
}

// Message is the content of a [Notification].
type Message struct {
	// EventID identifies the notification: the event's ID when it carries
	// one event, otherwise derived from all of them, so that a notification
	// sent again has the same id. It is also the webhook-id header.
	EventID      string      `json:"eventId"`
	ElementKey   string      `json:"elementKey"`
	InstanceID   string      `json:"instanceId"`
	InstanceName string      `json:"instanceName"`
	InstanceTags []string    `json:"instanceTags"`
	Events       []WireEvent `json:"events"`

	// Raw is the vendor's webhook body, or for polls the records by
	// object type ({"customers": [...]}).
	Raw json.RawMessage `json:"raw,omitempty"`

	// Status is set, and Events empty, in an instance status
	// notification; see [Status].
	Status *Status `json:"status,omitempty"`
}

// WireEvent is one event as a notification carries it.
type WireEvent struct {
	EventType  Type       `json:"eventType"`
	ObjectType string     `json:"objectType"`
	ObjectID   string     `json:"objectId"`
	ElementKey string     `json:"elementKey"`
	HubKey     string     `json:"hubKey,omitempty"`
	Date       time.Time  `json:"date"`
	PollDate   *time.Time `json:"pollDate,omitempty"`
}

// Default numbers of events per notification, as Notifications documents
// them.
const (
	defaultPollingBatchSize = 10
	defaultWebhookBatchSize = 20
)

// Notifications splits a batch into notifications of at most max events
// each (max < 1 means the default for the batch's source: 10 events
// for polling, 20 for webhooks). Events of one
// object type stay in order and never share a notification with another
// type, so that per-object order can be kept on delivery.
//
// A batch with Status set gives one status notification.
func Notifications(b Batch, max int) []Notification {
	if b.Status != nil {
		return []Notification{statusNotification(b)}
	}
	if max < 1 {
		max = defaultPollingBatchSize
		if b.Source == FromWebhook {
			max = defaultWebhookBatchSize
		}
	}
	var order []string
	byType := make(map[string][]Event)
	for _, e := range b.Events {
		if _, ok := byType[e.ObjectType]; !ok {
			order = append(order, e.ObjectType)
		}
		byType[e.ObjectType] = append(byType[e.ObjectType], e)
	}
	var out []Notification
	for _, ot := range order {
		evs := byType[ot]
		for len(evs) > 0 {
			n := min(max, len(evs))
			out = append(out, newNotification(b, evs[:n]))
			evs = evs[n:]
		}
	}
	return out
}

func newNotification(b Batch, evs []Event) Notification {
	tags := b.Instance.Tags
	if tags == nil {
		tags = []string{}
	}
	m := Message{
		EventID:      notificationID(evs),
		ElementKey:   b.Instance.ElementKey,
		InstanceID:   b.Instance.ID,
		InstanceName: b.Instance.Name,
		InstanceTags: tags,
		Events:       make([]WireEvent, len(evs)),
		Raw:          b.Raw,
	}
	for i, e := range evs {
		w := WireEvent{
			EventType:  e.Type,
			ObjectType: e.ObjectType,
			ObjectID:   e.ObjectID,
			ElementKey: cmp.Or(e.ElementKey, b.Instance.ElementKey),
			HubKey:     e.HubKey,
			Date:       e.Date.UTC(),
		}
		if !e.PollDate.IsZero() {
			pd := e.PollDate.UTC()
			w.PollDate = &pd
		}
		m.Events[i] = w
	}
	if len(m.Raw) == 0 {
		m.Raw = rawByType(evs)
	}
	return Notification{Message: m}
}

// rawByType builds {"objectType": [raw, ...]} from the events' records.
func rawByType(evs []Event) json.RawMessage {
	var buf bytes.Buffer
	any := false
	buf.WriteByte('{')
	for i := 0; i < len(evs); {
		j := i
		for j < len(evs) && evs[j].ObjectType == evs[i].ObjectType {
			j++
		}
		first := true
		for _, e := range evs[i:j] {
			if len(e.Raw) == 0 || !json.Valid(e.Raw) {
				continue
			}
			if first {
				if any {
					buf.WriteByte(',')
				}
				name, _ := json.Marshal(evs[i].ObjectType)
				buf.Write(name)
				buf.WriteString(":[")
				first, any = false, true
			} else {
				buf.WriteByte(',')
			}
			buf.Write(e.Raw)
		}
		if !first {
			buf.WriteByte(']')
		}
		i = j
	}
	if !any {
		return nil
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

// notificationID is the event's id for one event, otherwise a hash of the
// ids in order.
func notificationID(evs []Event) string {
	if len(evs) == 1 && evs[0].ID != "" {
		return evs[0].ID
	}
	h := sha256.New()
	for _, e := range evs {
		h.Write([]byte(e.ID))
		h.Write([]byte{0})
	}
	return uuidFromHash(h.Sum(nil))
}
