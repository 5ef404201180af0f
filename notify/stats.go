package notify

import "sync/atomic"

// Stats counts what a Notifier has done since it was created.
type Stats struct {
	// Enqueued counts notifications Publish handed to the outbox,
	// including any the outbox skipped because it already held their id
	// (the same events published again).
	Enqueued int64
	// Attempts counts requests made.
	Attempts int64
	// Delivered counts notifications a receiver accepted.
	Delivered int64
	// Retried counts failed attempts that were rescheduled.
	Retried int64
	// Dead counts notifications dead-lettered.
	Dead int64
}

type stats struct {
	enqueued, attempts, delivered, retried, dead atomic.Int64
}

// Stats returns the notifier's counters.
func (n *Notifier) Stats() Stats {
	return Stats{
		Enqueued:  n.stats.enqueued.Load(),
		Attempts:  n.stats.attempts.Load(),
		Delivered: n.stats.delivered.Load(),
		Retried:   n.stats.retried.Load(),
		Dead:      n.stats.dead.Load(),
	}
}
