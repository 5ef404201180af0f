package poller

import (
	"context"

	"github.com/a12b7632/elementevents/events"
)

// publishStatus publishes an instance status unless
// Config.NoStatusNotifications. A status that cannot be published is
// logged: the log line and the hook already told of it.
func (p *Poller) publishStatus(ctx context.Context, s events.Status) {
	if p.cfg.NoStatusNotifications {
		return
	}
	b := events.Batch{Instance: p.instance, Endpoint: p.endpoint, Source: events.FromPolling, Status: &s}
	if err := p.cfg.Sink.Publish(ctx, b); err != nil {
		p.cfg.Logger.Warn("poller: instance status not published", "instance", p.instance.ID, "resource", s.ObjectType, "state", s.State, "err", err)
	}
}
