package poller

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/a12b7632/elementevents/events"
)

// The defaults of the delete guard's fields of [Config].
const (
	defaultDeleteGuardShare     = 0.5
	defaultDeleteGuardCount     = 20
	defaultDeleteGuardSnapshots = 2
)

// The delete guard keeps its hold in ResourceState.Missing, so that every
// State stores it as it is: a record is missing from n complete snapshots
// in a row, and deleted when n reaches need (1 or 2, see
// Config.SingleSnapshotDeletes). A remembered record whose count reached
// need without being deleted is held; it is deleted when the count
// reaches need + DeleteGuardSnapshots, and no longer held as soon as a
// snapshot has it again.

// guardDefaults fills in and checks the delete guard's fields.
func (cfg *Config) guardDefaults() error {
	switch {
	case cfg.DeleteGuardShare < 0 || cfg.DeleteGuardShare > 1:
		return fmt.Errorf("%w: Config.DeleteGuardShare is %v, want a share from 0 to 1", ErrConfig, cfg.DeleteGuardShare)
	case cfg.DeleteGuardCount < 0:
		return fmt.Errorf("%w: Config.DeleteGuardCount is %d, want 0 or more", ErrConfig, cfg.DeleteGuardCount)
	case cfg.DeleteGuardSnapshots < 0:
		return fmt.Errorf("%w: Config.DeleteGuardSnapshots is %d, want 0 or more", ErrConfig, cfg.DeleteGuardSnapshots)
	}
	if cfg.DeleteGuardShare == 0 {
		cfg.DeleteGuardShare = defaultDeleteGuardShare
	}
	if cfg.DeleteGuardCount == 0 {
		cfg.DeleteGuardCount = defaultDeleteGuardCount
	}
	if cfg.DeleteGuardSnapshots == 0 {
		cfg.DeleteGuardSnapshots = defaultDeleteGuardSnapshots
	}
	return nil
}

// need is the count of complete snapshots in a row a record must be
// missing from to be deleted, guard aside.
func (p *Poller) need() int {
	if p.cfg.SingleSnapshotDeletes {
		return 1
	}
	return 2
}

// guardOutcome is what the delete guard did in one complete snapshot.
type guardOutcome struct {
	remembered int // records remembered before the snapshot
	newlyHeld  int // deletes it started holding
	held       int // deletes held after the snapshot
	released   int // held deletes the snapshot confirmed
	returned   int // held records the snapshot had again
}

// guard takes the deletes and the new missing counts of a complete
// snapshot (see decider.deletions) and returns the deletes to publish,
// holding the rest in missing.
func (p *Poller) guard(d *decider, deletes []string, missing map[string]int) ([]string, guardOutcome) {
	need := p.need()
	out := guardOutcome{remembered: d.st.Records.Len()}
	for id, n := range d.st.Missing {
		if back := d.seen.has(id); back && n >= need {
			out.returned++
		}
	}
	var keep, fresh []string
	for _, id := range deletes {
		prev := d.st.Missing[id]
		switch n := prev + 1; {
		case prev < need:
			fresh = append(fresh, id)
		case n < need+p.cfg.DeleteGuardSnapshots:
			missing[id] = n
			out.held++
		default:
			keep = append(keep, id)
			out.released++
		}
	}
	if len(fresh) > p.cfg.DeleteGuardCount && float64(len(fresh)) > p.cfg.DeleteGuardShare*float64(out.remembered) {
		for _, id := range fresh {
			missing[id] = need
		}
		out.newlyHeld = len(fresh)
		out.held += len(fresh)
		return keep, out
	}
	return append(keep, fresh...), out
}

// heldIDs returns the ids of the held deletes of st, sorted, and the
// missing counts without them.
func (p *Poller) heldIDs(st *ResourceState) (held []string, rest map[string]int) {
	need := p.need()
	rest = make(map[string]int, len(st.Missing))
	for id, n := range st.Missing {
		if n >= need {
			held = append(held, id)
		} else {
			rest[id] = n
		}
	}
	slices.Sort(held)
	return held, rest
}

// reportGuard tells what the guard did in a cycle whose state is
// committed: a hold once, when it starts (log line, hook, status); held
// records that came back, and a Recovered status when none is held any
// more.
func (p *Poller) reportGuard(ctx context.Context, r *resource, g guardOutcome, at time.Time) {
	log := p.cfg.Logger.With("instance", p.instance.ID, "resource", r.name)
	if g.newlyHeld > 0 {
		log.Warn("poller: delete guard: a mass delete is held until later snapshots confirm it", "held", g.held, "remembered", g.remembered,
			"snapshots", p.cfg.DeleteGuardSnapshots)
		if p.cfg.OnDeletesHeld != nil {
			p.cfg.OnDeletesHeld(r.name, g.held)
		}
		p.publishStatus(ctx, events.Status{State: events.DeletesHeld, Date: at, ObjectType: r.name, Count: g.held,
			Reason: fmt.Sprintf("one poll would have deleted %d of the %d remembered %s; the deletes are held until %d more complete polls confirm them",
				g.newlyHeld, g.remembered, r.name, p.cfg.DeleteGuardSnapshots)})
	}
	if g.released > 0 {
		log.Info("poller: delete guard: held deletes confirmed and published", "deleted", g.released)
	}
	if g.returned > 0 {
		log.Info("poller: delete guard: held records came back; their deletes are dropped", "returned", g.returned, "held", g.held)
		if g.held == 0 {
			p.publishStatus(ctx, events.Status{State: events.Recovered, Cause: events.DeletesHeld, Date: at, ObjectType: r.name, Count: g.returned,
				Reason: fmt.Sprintf("the %s held as deleted are listed again; nothing was deleted", r.name)})
		}
	}
}

// ConfirmDeletes publishes now the DELETED events of the deletes the
// delete guard holds for resource, forgets those records, and returns how
// many there were. It waits for a running cycle of the resource. After an
// error nothing is forgotten; the events may have gone out, and go out
// again (with other ids) on the next call.
func (p *Poller) ConfirmDeletes(ctx context.Context, resource string) (int, error) {
	return p.settleHold(ctx, resource, true)
}

// DropDeletes forgets the deletes the delete guard holds for resource and
// returns how many there were; the records stay remembered, and nothing
// is published. A record still missing from later snapshots is counted
// again from zero, and may be held again.
func (p *Poller) DropDeletes(ctx context.Context, resource string) (int, error) {
	return p.settleHold(ctx, resource, false)
}

// settleHold ends the hold of resource: deleting the held records
// (publishing their DELETED events) or keeping them.
func (p *Poller) settleHold(ctx context.Context, resource string, confirm bool) (int, error) {
	r, err := p.resource(resource)
	if err != nil {
		return 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := p.loadState(ctx, r); err != nil {
		return 0, err
	}
	st := r.state
	held, rest := p.heldIDs(st)
	if len(held) == 0 {
		return 0, nil
	}
	change := Change{Watermark: st.Watermark, Cycles: st.Cycles, Missing: rest}
	verb := "dropped"
	if confirm {
		now := p.cfg.Clock.Now()
		evs := make([]events.Event, len(held))
		for i, id := range held {
			evs[i] = events.Event{Type: events.Deleted, ObjectType: r.name, ObjectID: id, Date: now, PollDate: now}
		}
		if err := p.publish(ctx, r, evs); err != nil {
			return 0, err
		}
		change.Delete, verb = held, "confirmed and published"
	}
	if err := p.cfg.State.Commit(ctx, StateKey{Instance: p.instance.ID, Resource: r.name}, change); err != nil {
		return 0, fmt.Errorf("poller: commit state of %s: %w", r.name, err)
	}
	change.Apply(st)
	p.cfg.Logger.Info("poller: delete guard: held deletes "+verb+" by the host", "instance", p.instance.ID, "resource", r.name, "count", len(held))
	return len(held), nil
}
