package main

import (
	"log/slog"

	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
)

// newNotifier returns the Notifier that delivers every instance's
// notifications from the outbox. It logs failures, retries and dead
// letters itself; deliveries are logged here, at info, so that an operator
// sees the traffic.
func newNotifier(o options, st stores, logger *slog.Logger) (*notify.Notifier, error) {
	log := logger.With("component", "notifier")
	return notify.New(notify.Config{
		Outbox: st.Outbox,
		Logger: log,
		Policy: notify.DeliveryPolicy{Guard: netguard.Guard{AllowPrivate: o.allowPrivate}},
		OnAttempt: func(a notify.AttemptInfo) {
			if a.Outcome == notify.OutcomeDelivered {
				log.Info("notification delivered", "id", a.DeliveryID, "endpoint", netguard.RedactURL(a.Endpoint),
					"attempt", a.Number, "status", a.Status, "latency", a.Latency)
			}
		},
	})
}
