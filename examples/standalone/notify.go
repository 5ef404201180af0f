package main

import (
	"log/slog"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
)

// newNotifier returns the Notifier that delivers every instance's
// notifications from the outbox. It logs failures, retries and dead
// letters itself; deliveries are logged here, at info, so that an operator
// sees the traffic.
func newNotifier(o options, st stores, logger *slog.Logger) (*events.Notifier, error) {
	log := logger.With("component", "notifier")
	return events.New(events.Config{
		Outbox: st.Outbox,
		Logger: log,
		Guard:  netguard.Guard{AllowPrivate: o.allowPrivate},
		OnAttempt: func(a events.AttemptInfo) {
			if a.Outcome == events.OutcomeDelivered {
				log.Info("notification delivered", "id", a.DeliveryID, "endpoint", events.RedactURL(a.Endpoint),
					"attempt", a.Number, "status", a.Status, "latency", a.Latency)
			}
		},
	})
}
