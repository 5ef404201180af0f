package main

import (
	"context"
	"log/slog"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
)

// newPollers returns a Poller for every polling instance, each polling at
// its instance's event.poller.refresh_interval. Instances it cannot poll
// are reported in an *inputError.
func newPollers(o options, insts []instance, sink events.Sink, st stores, logger *slog.Logger) ([]*poller.Poller, error) {
	var (
		out []*poller.Poller
		bad inputError
	)
	log := logger.With("component", "poller")
	for _, in := range insts {
		if in.inst.Configuration.Events.VendorType != "polling" {
			continue
		}
		// The source is built here, not with the instance, because it
		// keeps OAuth 2 tokens in the store opened after the files are
		// read.
		src, err := poller.NewHTTPSource(poller.HTTPConfig{Instance: in.inst, BaseURL: o.baseURLs[in.inst.Element.Key],
			Guard: netguard.Guard{AllowPrivate: o.allowPrivate}, Tokens: st.Tokens})
		if err != nil {
			bad.add(in.file, "%v%s", err, o.guardHint(err))
			continue
		}
		id := in.inst.ID
		p, err := poller.New(poller.Config{
			Instance: in.inst,
			Source:   src,
			Sink:     sink,
			State:    st.PollerState,
			Logger:   log,
			OnCycle: func(r poller.Result) {
				level := slog.LevelDebug
				if len(r.Events) > 0 {
					level = slog.LevelInfo
				}
				if r.Err == nil { // a failed cycle is logged by the poller
					log.Log(context.Background(), level, "polled", "instance", id, "resource", r.Resource, "pages", r.Pages,
						"records", r.Records, "events", r.Events, "snapshot", r.Snapshot, "duration", r.Duration)
				}
			},
			OnReauthorize: func(err error) {
				log.Error("the vendor refused the instance's authorisation: polling stopped until a new refresh token is configured", "instance", id, "err", err)
			},
			OnAuthError: func(resource string, err error) {
				log.Error("vendor refused the credentials: resource stopped until restart", "instance", id, "resource", resource, "err", err)
			},
		})
		if err != nil {
			bad.add(in.file, "%v", err)
			continue
		}
		out = append(out, p)
	}
	if len(bad.problems) > 0 {
		return nil, &bad
	}
	return out, nil
}
