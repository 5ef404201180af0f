package engine

import (
	"container/heap"
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/poller"
)

// schedule is the polling instances in order of their next cycle: a
// min-heap on slot.due. It is guarded by Engine.mu.
type schedule []*slot

func (h schedule) Len() int           { return len(h) }
func (h schedule) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h schedule) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *schedule) Push(x any) { s := x.(*slot); s.index = len(*h); *h = append(*h, s) }
func (h *schedule) Pop() any {
	old := *h
	s := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	s.index = -1
	return s
}

// put schedules s at due, or moves it there. The caller holds e.mu.
func (e *Engine) put(s *slot, due time.Time) {
	s.due = due
	if s.index >= 0 {
		heap.Fix(&e.sched, s.index)
	} else {
		heap.Push(&e.sched, s)
	}
	e.signal()
}

// unschedule takes s off the schedule. The caller holds e.mu.
func (e *Engine) unschedule(s *slot) {
	if s.index >= 0 {
		heap.Remove(&e.sched, s.index)
	}
}

// signal wakes the dispatcher without blocking.
func (e *Engine) signal() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// next returns when the cycle after one that started at start is due:
// an interval later, varied by up to ±10% (as poller.Run varies its
// intervals, so that instances created together drift apart); with a
// Claimer, early in the next interval, as every replica computes it.
func (e *Engine) next(start time.Time, every time.Duration) time.Time {
	if e.cfg.Claimer != nil {
		return window(start, every).Add(every + rand.N(every/10+1))
	}
	return start.Add(every + time.Duration((rand.Float64()*0.2-0.1)*float64(every)))
}

// claim reports whether this engine polls s in the interval that holds
// start: always without a Claimer. A Claimer that fails is logged and
// the interval is not polled here.
func (e *Engine) claim(ctx context.Context, s *slot, start time.Time) bool {
	if e.cfg.Claimer == nil {
		return true
	}
	ok, err := e.cfg.Claimer.Claim(ctx, s.rec.ID, s.rec.Version, window(start, s.interval))
	if err != nil {
		if ctx.Err() == nil {
			e.cfg.Logger.Error("could not claim a poll", "instance", s.rec.ID, "err", err)
		}
		return false
	}
	return ok
}

// dispatch runs the polling schedule until ctx ends: each due instance's
// cycle on one of Workers goroutines, then its next cycle an interval
// (±10%) after this one started. It returns once every cycle in flight
// has ended.
func (e *Engine) dispatch(ctx context.Context) {
	var (
		wg       sync.WaitGroup
		inFlight int // guarded by e.mu
	)
	defer wg.Wait()
	for {
		e.mu.Lock()
		now := e.cfg.Clock.Now()
		for inFlight < e.cfg.Workers && len(e.sched) > 0 && !e.sched[0].due.After(now) {
			s := heap.Pop(&e.sched).(*slot)
			// Busy until release: a PollNow meanwhile sets again, and a
			// write or delete leaves the slot for release to put back.
			s.run.busy = true
			resets := s.run.take()
			inFlight++
			wg.Go(func() {
				e.cycle(ctx, s, resets)
				e.mu.Lock()
				inFlight--
				e.mu.Unlock()
				e.signal()
			})
		}
		var timer clockwork.Timer
		var fire <-chan time.Time
		if len(e.sched) > 0 && inFlight < e.cfg.Workers {
			timer = e.cfg.Clock.NewTimer(e.sched[0].due.Sub(now))
			fire = timer.Chan()
		}
		e.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-e.wake:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// cycle polls s once, after forgetting the state of resets, and puts the
// instance's current slot (s, or the one an update put in its place) back
// on the schedule.
func (e *Engine) cycle(ctx context.Context, s *slot, resets []string) {
	e.forget(ctx, s.rec.ID, resets)
	start := e.cfg.Clock.Now()
	if e.claim(ctx, s, start) {
		e.pollerOf(s).Poll(ctx)
	}
	e.release(ctx, s.rec.ID, s.run, func(cur *slot) time.Time { return e.next(start, cur.interval) })
}

// release ends what kept the instance id busy (a cycle, or forgetting
// resources after a write) and puts its current slot back on the
// schedule at due(slot), or at once after a PollNow. A deleted instance's
// resources are forgotten instead.
func (e *Engine) release(ctx context.Context, id string, r *runner, due func(*slot) time.Time) {
	e.mu.Lock()
	r.busy = false
	if r.dropped {
		resets := r.take()
		e.mu.Unlock()
		e.forget(context.WithoutCancel(ctx), id, resets)
		return
	}
	defer e.mu.Unlock()
	cur := e.slots[id]
	if cur == nil || cur.run != r || cur.poller == nil || ctx.Err() != nil {
		return
	}
	next := due(cur)
	if r.again {
		r.again = false
		next = e.cfg.Clock.Now()
	}
	e.put(cur, next)
}

// forget drops the remembered state of resources of instance id, so that
// their next cycle takes a new baseline. Failures are logged: the cost is
// events reported again, not lost.
func (e *Engine) forget(ctx context.Context, id string, resources []string) {
	for _, res := range resources {
		if err := poller.ResetState(ctx, e.cfg.State, poller.StateKey{Instance: id, Resource: res}); err != nil {
			e.cfg.Logger.Error("could not forget a resource's state", "instance", id, "resource", res, "err", err)
		}
	}
}

// pollerOf returns the poller of s for one cycle: its own, or with a
// Claimer a new one on the same configuration, which reads what the
// replicas' shared State remembers afresh (a poller keeps what it loaded,
// and the other replicas' cycles changed it since).
func (e *Engine) pollerOf(s *slot) *poller.Poller {
	if e.cfg.Claimer == nil {
		return s.poller
	}
	if p, err := poller.New(*s.pc); err == nil {
		return p
	}
	return s.poller // New accepted the same configuration when s was built
}
