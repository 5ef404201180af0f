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
		p.publishStatus(ctx, events.Status{Date: p.cfg.Clock.Now(), State: events.Recovered, Cause: events.NeedsReauthorization,
			Reason: "the vendor accepts the instance's authorisation again; polling resumed"})
	}
}

// stopRefused reports a refused authorisation: every resource is already
// stopped by p.refused.
func (p *Poller) stopRefused(ctx context.Context, err error) {
	p.recovering.Store(true)
	key, at := "", p.cfg.Clock.Now()
	var te *vendorauth.TokenError
	if errors.As(err, &te) {
		key = te.ConfigKey
		if !te.Refused.IsZero() {
			// Dated by the refusal the store records, the status has one
			// id whichever replica or poller publishes it.
			at = te.Refused
		}
	}
	p.cfg.Logger.Warn("poller: the vendor refused the instance's authorisation; every resource is stopped until it is re-authorised",
		"instance", p.instance.ID, "configKey", key, "err", err)
	if p.cfg.OnReauthorize != nil {
		p.cfg.OnReauthorize(err)
	}
	p.publishStatus(ctx, events.Status{Date: at, State: events.NeedsReauthorization, ConfigKey: key,
		Reason: "the vendor refused the refresh token (invalid_grant: expired, revoked or already used); authorise the application again and set a new " + key})
}
