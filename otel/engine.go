package otel

import (
	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/poller"
)

// Engine returns cfg instrumented: every poller the engine makes goes
// through [Instrumentation.Poller] (after cfg.Poller, if set), the
// Notifier through [Instrumentation.Notify] and the webhook handler
// through [Instrumentation.Webhook]. Two more steps complete it: wrap
// the engine's Webhooks handler with [Instrumentation.Handler] where it
// is mounted, and register the gauges with [Instrumentation.Observe]:
//
//	e, err := engine.New(ins.Engine(cfg))
//	...
//	reg, err := ins.Observe(e.Notifier().Outbox(), e)
func (i *Instrumentation) Engine(cfg engine.Config) engine.Config {
	base := cfg.Poller
	cfg.Poller = func(inst *element.Instance) poller.Config {
		var pc poller.Config
		if base != nil {
			pc = base(inst)
		}
		return i.Poller(inst, pc)
	}
	cfg.Notify = i.Notify(cfg.Notify)
	cfg.Webhook = i.Webhook(cfg.Webhook)
	return cfg
}
