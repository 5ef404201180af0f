package webhook

import (
	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
)

// objectTypeOf maps a vendor resource name found in a body, at the
// definition's ObjectTypePath, to an object type through m.Objects; a name
// missing there is its own object type.
func objectTypeOf(m element.TopicMap, resource string) string {
	if t, ok := m.Objects[resource]; ok {
		return t
	}
	return resource
}

// eventTypeOf maps a vendor action found in a body, at the definition's
// EventTypePath, to an event type through m.Actions. An action missing
// there that is already an event type ("UPDATED") is taken as is, unlike
// the action of a topic, which is the vendor's word; anything else is
// UNKNOWN.
func eventTypeOf(m element.TopicMap, action string) string {
	if t, ok := m.Actions[action]; ok {
		return t
	}
	switch t := events.Type(action); t {
	case events.Created, events.Updated, events.Deleted, events.Unknown:
		return action
	}
	return string(events.Unknown)
}
