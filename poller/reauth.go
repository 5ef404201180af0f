package poller

import (
	"context"
	"errors"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/vendorauth"
)

// checkAuthorisation acts on a cycle's results: the first refusal of the
// instance's authorisation stops every resource, with one log line, the
// hook and a status notification; the first success after a refusal (or
// after a new refresh token replaced a refused chain) sends Recovered.
func (p *Poller) checkAuthorisation(ctx context.Context, results []Result) {
	var refusal error
	ok := false
	for _, r := range results {
		switch {
		case errors.Is(r.Err, vendorauth.ErrReauthorize):
			refusal = r.Err
		case r.Err == nil:
			ok = true
		}
	}
	if refusal != nil {
		if p.refused.CompareAndSwap(nil, &refusal) {
			p.stopRefused(ctx, refusal)
		}
		return
	}
	if ok && (p.recovering.Load() || p.cfg.recovered.Load()) {
		p.recovering.Store(false)
		p.cfg.recovered.Store(false)
		p.status(ctx, &events.Status{State: events.Recovered, Cause: events.NeedsReauthorization,
			Reason: "the vendor accepts the instance's authorisation again; polling resumed"})
	}
}

// stopRefused reports a refused authorisation: every resource is already
// stopped by p.refused.
func (p *Poller) stopRefused(ctx context.Context, err error) {
	p.recovering.Store(true)
	key := ""
	var te *vendorauth.TokenError
	if errors.As(err, &te) {
		key = te.ConfigKey
	}
	p.cfg.Logger.Warn("poller: the vendor refused the instance's authorisation; every resource is stopped until it is re-authorised",
		"instance", p.instance.ID, "configKey", key, "err", err)
	if p.cfg.OnReauthorize != nil {
		p.cfg.OnReauthorize(err)
	}
	p.status(ctx, &events.Status{State: events.NeedsReauthorization, ConfigKey: key,
		Reason: "the vendor refused the refresh token (invalid_grant: expired, revoked or already used); authorise the application again and set a new " + key})
}

// status publishes an instance status, unless Config.NoStatusNotifications.
func (p *Poller) status(ctx context.Context, s *events.Status) {
	if p.cfg.NoStatusNotifications {
		return
	}
	s.Date = p.cfg.Clock.Now()
	b := events.Batch{Instance: p.instance, Endpoint: p.endpoint, Source: events.FromPolling, Status: s}
	if err := p.cfg.Sink.Publish(ctx, b); err != nil {
		p.cfg.Logger.Warn("poller: publishing the instance status failed", "instance", p.instance.ID, "state", s.State, "err", err)
	}
}
