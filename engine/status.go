package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/a12b7632/elementevents/poller"
)

// InstanceStatus is how a running instance is doing: its last poll and
// the deliveries to its callback URL.
type InstanceStatus struct {
	// LastPoll is when the instance's last cycle ended (the latest of its
	// resources' cycles); zero when it has not polled since this process
	// started, or polls nothing (a webhook or disabled instance).
	LastPoll time.Time
	// LastError is the error of each resource whose latest cycle failed,
	// "resource: error", joined by "; "; empty when none failed.
	LastError string
	// LastEvents counts the events published by each resource's latest
	// cycle.
	LastEvents int
	// EndpointDisabled reports a callback URL the Notifier stopped
	// delivering to (its receiver answered 410 Gone), for EndpointReason;
	// Engine.EnableEndpoint turns it on again.
	EndpointDisabled bool
	EndpointReason   string
	// Pending and Dead count the notifications waiting for, or given up
	// on, the callback URL: of every instance that shares the URL.
	Pending, Dead int
}

// pollLog keeps the latest cycle of each resource of one instance. The
// versions of an instance's slot share it, so an update keeps what the
// previous version polled.
type pollLog struct {
	mu   sync.Mutex
	last map[string]lastCycle // by resource; made at the first cycle
}

// lastCycle is what a status needs of a poller.Result.
type lastCycle struct {
	end    time.Time
	err    string
	events int
}

// record keeps r as its resource's latest cycle.
func (l *pollLog) record(r poller.Result) {
	c := lastCycle{end: r.Start.Add(r.Duration)}
	if r.Err != nil {
		c.err = r.Err.Error()
	}
	for _, n := range r.Events {
		c.events += n
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		l.last = make(map[string]lastCycle, 1)
	}
	l.last[r.Resource] = c
}

// fill sets st's poll fields from the latest cycles of resources.
func (l *pollLog) fill(st *InstanceStatus, resources []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []string
	for _, res := range resources {
		c, ok := l.last[res]
		if !ok {
			continue
		}
		if c.end.After(st.LastPoll) {
			st.LastPoll = c.end
		}
		if c.err != "" {
			errs = append(errs, res+": "+c.err)
		}
		st.LastEvents += c.events
	}
	st.LastError = strings.Join(errs, "; ")
}

// pollLogOf returns the poll log of instance id: its running slot's, or
// a new one.
func (e *Engine) pollLogOf(id string) *pollLog {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s := e.slots[id]; s != nil && s.polls != nil {
		return s.polls
	}
	return &pollLog{}
}

// observe returns pc's OnCycle wrapped to record each cycle in l first.
func observe(l *pollLog, host func(poller.Result)) func(poller.Result) {
	return func(r poller.Result) {
		l.record(r)
		if host != nil {
			host(r)
		}
	}
}

// Status returns how the instance id of tenant is doing: its last poll
// (since this process started) and the state of its callback URL in the
// Notifier's outbox. An instance that is not running here, or belongs to
// another tenant, is [ErrNotFound]; an outbox that cannot be read is an
// error.
func (e *Engine) Status(ctx context.Context, tenant, id string) (InstanceStatus, error) {
	e.mu.Lock()
	s := e.slots[id]
	e.mu.Unlock()
	if s == nil || s.rec.Tenant != tenant {
		return InstanceStatus{}, fmt.Errorf("engine: status of %q: %w", id, ErrNotFound)
	}
	var st InstanceStatus
	if s.polls != nil {
		s.polls.fill(&st, resourceNames(s.inst))
	}
	url := s.inst.Configuration.Events.CallbackURL
	if url == "" {
		return st, nil
	}
	eps, err := e.notifier.Outbox().Endpoints(ctx)
	if err != nil {
		return st, fmt.Errorf("engine: status of %q: %w", id, err)
	}
	for _, ep := range eps {
		if ep.URL == url {
			st.EndpointDisabled, st.EndpointReason = ep.Disabled, ep.Reason
			st.Pending, st.Dead = ep.Pending, ep.Dead
			break
		}
	}
	return st, nil
}

// InstanceState classifies an instance for [Engine.Counts].
type InstanceState string

// The states of [Engine.Counts].
const (
	// StatePolling: an enabled polling instance whose resources' latest
	// cycles succeeded, or that has not polled yet.
	StatePolling InstanceState = "polling"
	// StateFailing: an enabled polling instance the latest cycle of one
	// of whose resources failed.
	StateFailing InstanceState = "failing"
	// StateWebhook: an enabled instance that receives vendor webhooks.
	StateWebhook InstanceState = "webhook"
	// StateIdle: an enabled instance whose events are off
	// (event.notification.enabled false) or that neither polls nor
	// receives webhooks.
	StateIdle InstanceState = "idle"
	// StateDisabled: an instance disabled with [Engine.SetEnabled].
	StateDisabled InstanceState = "disabled"
)

// InstanceStates lists every [InstanceState], in the order above.
var InstanceStates = []InstanceState{StatePolling, StateFailing, StateWebhook, StateIdle, StateDisabled}

// Counts returns how many instances this process runs in each state,
// every state present (0 when none is in it). It reads memory only, not
// the store, so metrics can call it at every collection.
func (e *Engine) Counts() map[InstanceState]int {
	out := make(map[InstanceState]int, len(InstanceStates))
	for _, s := range InstanceStates {
		out[s] = 0
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.slots {
		out[s.state()]++
	}
	return out
}

// state classifies s. The caller holds Engine.mu.
func (s *slot) state() InstanceState {
	ev := s.inst.Configuration.Events
	switch {
	case !s.rec.Enabled:
		return StateDisabled
	case s.poller != nil:
		if s.polls != nil && s.polls.failing(s.poller.Resources()) {
			return StateFailing
		}
		return StatePolling
	case ev.Enabled && ev.VendorType == "webhook":
		return StateWebhook
	default:
		return StateIdle
	}
}

// failing reports whether the latest cycle of one of resources failed.
func (l *pollLog) failing(resources []string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, res := range resources {
		if l.last[res].err != "" {
			return true
		}
	}
	return false
}
