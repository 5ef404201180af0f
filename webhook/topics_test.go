package webhook

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
)

// TestTopicsFromBody: a value found at ObjectTypePath or EventTypePath is
// mapped through the definition's Topics; an event type the map does not
// list is taken as is only if it is one.
func TestTopicsFromBody(t *testing.T) {
	t.Parallel()
	m := element.TopicMap{
		Objects: map[string]string{"inv": "invoices"},
		Actions: map[string]string{"new": "CREATED"},
	}
	tests := []struct {
		value, wantObject, wantEvent string
	}{
		{"inv", "invoices", "UNKNOWN"},
		{"bills", "bills", "UNKNOWN"},
		{"new", "new", "CREATED"},
		{"DELETED", "DELETED", "DELETED"},
		{"UPDATED", "UPDATED", "UPDATED"},
		{"deleted", "deleted", "UNKNOWN"},
		{"", "", "UNKNOWN"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.wantObject, objectTypeOf(m, tt.value), tt.value)
		require.Equal(t, tt.wantEvent, eventTypeOf(m, tt.value), tt.value)
	}

	// The generic element reads its event types from the body this way.
	def, ok := element.Default().Lookup("generic")
	require.True(t, ok)
	require.Equal(t, "CREATED", eventTypeOf(def.Webhook.Topics, "create"))
	require.Equal(t, "UPDATED", eventTypeOf(def.Webhook.Topics, "UPDATED"))
}
