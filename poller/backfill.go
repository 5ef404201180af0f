package poller

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/a12b7632/elementevents/element"
)

// Backfill runs one cycle of resource whose window starts at since, with
// no lookback before it, and returns its Result. It fills a gap: a
// webhook subscription that was down from since until now, say, so that
// the changes the webhooks missed still arrive.
//
// Changes are judged against the remembered state, as in any cycle: a
// change a cycle already reported is not reported again, and one that
// reaches a consumer by both paths carries one deterministic event id.
// With no state yet, it reports what changed after since (as FirstRun
// EmitSince does) and remembers what it saw. A backfill is never a
// snapshot, so it never reports DELETED. It leaves the cycle count as it
// was, and moves the watermark only forward, only when its window covered
// the one the next cycle would poll. It waits for a running cycle of
// the resource to end, and fails (in Result.Err) for a resource the
// Poller does not poll, wrapping [ErrConfig], or one stopped by
// [ErrUnauthorized].
func (p *Poller) Backfill(ctx context.Context, resource string, since time.Time) Result {
	r, err := p.resource(resource)
	if err != nil {
		return Result{Resource: resource, Err: err}
	}
	if r.stopped.Load() {
		return Result{Resource: resource, Err: fmt.Errorf("%w: resource %s is stopped until Resume", ErrUnauthorized, resource)}
	}
	return p.traced(ctx, r, cycleKind{backfill: &since})
}

// backfillWatermark is the watermark after a backfill from since that
// would set next: next only when the backfill's window covered the one
// the next cycle polls (no watermark yet, or since no later than its
// start) and next is later, else the watermark as it was. A backfill on
// a fresh state thus spares the first cycle its baseline, which would
// silently take in the changes made between the two.
func backfillWatermark(st *ResourceState, since time.Time, lookback time.Duration, next time.Time) time.Time {
	covered := st.Watermark.IsZero() || !since.After(st.Watermark.Add(-lookback))
	if covered && next.After(st.Watermark) {
		return next
	}
	return st.Watermark
}

// resource returns the resource named name, or an error wrapping
// [ErrConfig].
func (p *Poller) resource(name string) (*resource, error) {
	r, ok := p.resources[name]
	if !ok {
		return nil, fmt.Errorf("%w: instance %q polls no resource %q", ErrConfig, p.instance.ID, name)
	}
	return r, nil
}

// withDefinitionResources returns inst, or a copy of it given the
// definition's default resources when it has none: those of its
// event.objects, or all of them. element.Parse fills them in only for a
// polling instance; a webhook instance has none, and still needs them for
// a [Poller.Backfill] of the changes its webhooks missed.
func withDefinitionResources(inst *element.Instance, def *element.Definition) *element.Instance {
	ev := inst.Configuration.Events
	if len(ev.Resources) > 0 || len(def.Resources) == 0 {
		return inst
	}
	res := maps.Clone(def.Resources)
	if len(ev.Objects) > 0 {
		res = make(map[string]element.Resource, len(ev.Objects))
		for _, name := range ev.Objects {
			if r, ok := def.Resources[name]; ok {
				res[name] = r
			}
		}
	}
	cp := *inst
	cp.Configuration.Events.Resources = res
	return &cp
}
