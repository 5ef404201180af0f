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

// jittered returns d varied by up to ±10%, as poller.Run varies its
// intervals, so that instances created together drift apart.
func jittered(d time.Duration) time.Duration {
	return d + time.Duration((rand.Float64()*0.2-0.1)*float64(d))
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
	s.poller.Poll(ctx)
	e.mu.Lock()
	r := s.run
	r.busy = false
	if r.dropped { // deleted while polling: forget it now
		resets := r.take()
		e.mu.Unlock()
		e.forget(context.WithoutCancel(ctx), s.rec.ID, resets)
		return
	}
	defer e.mu.Unlock()
	cur := e.slots[s.rec.ID]
	if cur == nil || cur.poller == nil || ctx.Err() != nil {
		return
	}
	next := start.Add(jittered(cur.interval))
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
		if err := resetState(ctx, e.cfg.State, poller.StateKey{Instance: id, Resource: res}); err != nil {
			e.cfg.Logger.Error("could not forget a resource's state", "instance", id, "resource", res, "err", err)
		}
	}
}
