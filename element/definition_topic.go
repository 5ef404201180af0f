package element

import "strings"

// TopicMap maps a vendor's webhook topics, resource<Separator>action
// ("customer.updated"), to object types ("customers") and event types
// ("UPDATED").
type TopicMap struct {
	// Separator splits a topic into resource and action at its first
	// occurrence. Empty means ".".
	Separator string `json:"separator,omitempty"`

	// Objects maps a vendor resource name to an object type:
	// "customer" -> "customers". A resource not listed is its own object
	// type.
	Objects map[string]string `json:"objects,omitempty"`

	// Actions maps a vendor action to an event type: "CREATED" (the object
	// was created), "UPDATED" (it changed, or was restored), "DELETED" (it
	// was deleted or trashed) or "UNKNOWN" (something happened that has no
	// mapping): "created" -> "CREATED". An action not listed maps to
	// UNKNOWN.
	Actions map[string]string `json:"actions,omitempty"`
}

// Map maps a topic to an object type and an event type. Matching is exact
// (topics are case-sensitive) after trimming spaces. A resource missing from
// Objects is returned unchanged as the object type, so nothing is lost; an
// action missing from Actions, or a topic without a separator, yields
// UNKNOWN. WooCommerce's custom "action.woocommerce_..." topics therefore
// map to ("action", "UNKNOWN").
func (m TopicMap) Map(topic string) (objectType, eventType string) {
	sep := m.Separator
	if sep == "" {
		sep = "."
	}
	resource, action, ok := strings.Cut(strings.TrimSpace(topic), sep)
	objectType = resource
	if t, found := m.Objects[resource]; found {
		objectType = t
	}
	eventType = eventUnknown
	if t, found := m.Actions[action]; ok && found {
		eventType = t
	}
	return objectType, eventType
}

// The event types a topic maps to. They equal the types of package
// events, which element does not import.
const (
	eventCreated = "CREATED"
	eventUpdated = "UPDATED"
	eventDeleted = "DELETED"
	eventUnknown = "UNKNOWN"
)

func isEventType(s string) bool {
	switch s {
	case eventCreated, eventUpdated, eventDeleted, eventUnknown:
		return true
	}
	return false
}
