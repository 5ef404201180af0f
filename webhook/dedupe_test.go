package webhook_test

import (
	"testing"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/webhook"
	"github.com/a12b7632/elementevents/webhook/dedupetest"
)

func TestMemoryDeduper(t *testing.T) {
	t.Parallel()
	dedupetest.Run(t, func(_ *testing.T, clock clockwork.Clock) webhook.Deduper {
		return webhook.NewMemoryDeduper(clock)
	})
}

// The in-memory Deduper also serves a receiver.Receiver.
var _ receiver.Deduper = webhook.NewMemoryDeduper(nil)
