package engine

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"time"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/poller"
)

// slot is one running instance: what it runs now, built from one version
// of its record. An update builds a new slot and puts it in the old one's
// place; the two share run.
type slot struct {
	rec    Record // Body dropped: the store has it
	inst   *element.Instance
	token  [sha256.Size]byte // the hash of the instance token
	poller *poller.Poller    // nil when the instance polls nothing
	// pc is what poller was made of, kept only with a Claimer, which
	// makes a poller of it every cycle (see pollerOf).
	pc *poller.Config
	// interval is the time between the starts of two cycles.
	interval time.Duration
	// polls keeps the latest cycles (nil when the instance polls
	// nothing); the versions of an instance share it.
	polls *pollLog

	gen   uint64    // Engine.gen when installed
	due   time.Time // next cycle, while on the schedule
	index int       // in Engine.sched; -1 when not on it
	run   *runner
}

// runner is what the versions of one instance's slot share: whether a
// cycle is in flight, and what to do when it ends. Guarded by Engine.mu.
type runner struct {
	busy    bool     // a cycle is in flight
	again   bool     // PollNow during a cycle: the next one starts at once
	dropped bool     // deleted: forget resets when the cycle ends
	resets  []string // resources to forget before the next cycle
}

// take returns the resources to forget and clears them.
func (r *runner) take() []string {
	out := r.resets
	r.resets = nil
	return out
}

// reset adds resources to forget, once each.
func (r *runner) reset(resources ...string) {
	for _, res := range resources {
		if !slices.Contains(r.resets, res) {
			r.resets = append(r.resets, res)
		}
	}
}

// build parses rec into the slot that runs it. rec's derived fields
// (ElementKey, VendorType, Tags, Enabled) are set from its Body. A body
// that is not a valid instance, or a polling instance whose resources
// cannot be compiled, is an error wrapping [ErrInvalid] and the element
// package's error.
func (e *Engine) build(rec *Record) (*slot, error) {
	inst, err := element.Parse(rec.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	b, err := decodeBody(rec.Body)
	if err != nil {
		return nil, err
	}
	if inst.ID == "" {
		inst.ID = rec.ID
	}
	ev := inst.Configuration.Events
	rec.ElementKey, rec.VendorType, rec.Tags = inst.Element.Key, ev.VendorType, slices.Clone(inst.Tags)
	rec.Enabled = !b.disabled()
	s := &slot{inst: inst, index: -1}
	if tok := b.str(keyToken); tok != "" {
		s.token = sha256.Sum256([]byte(tok))
	}
	if rec.Enabled && ev.Enabled && ev.VendorType == "polling" {
		pc, err := e.pollerConfig(inst)
		if err != nil {
			return nil, err
		}
		s.polls = e.pollLogOf(rec.ID)
		pc.OnCycle = observe(s.polls, pc.OnCycle)
		s.interval = pc.Interval
		if s.interval <= 0 {
			s.interval = ev.RefreshInterval
		}
		if s.interval <= 0 {
			s.interval = poller.DefaultRefreshInterval
		}
		if e.cfg.Claimer != nil {
			s.pc = &pc
		}
		if s.poller, err = poller.New(pc); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
	}
	s.rec = *rec
	s.rec.Body = nil
	return s, nil
}

// pollerConfig returns the configuration of a poller of inst: Config.Poller's,
// with the engine's Sink, State, Clock and (unless set) Tokens, Logger,
// shared definition and shared transport. The polling instances' pollers
// and the webhook instances' gap fillers are made of it.
func (e *Engine) pollerConfig(inst *element.Instance) (poller.Config, error) {
	pc := e.cfg.Poller(inst)
	pc.Instance, pc.Sink, pc.State, pc.Clock = inst, e.sink, e.cfg.State, e.cfg.Clock
	if pc.Tokens == nil {
		pc.Tokens = e.cfg.Tokens
	}
	if pc.Logger == nil {
		pc.Logger = e.pollerLogger
	}
	if pc.Definition == nil {
		var err error
		if pc.Definition, err = e.definition(inst.Element.Key); err != nil {
			return pc, err
		}
	}
	if pc.Source == nil && pc.Transport == nil {
		pc.Transport = e.transport(pc.Guard)
	}
	return pc, nil
}

// install puts s in place of the instance's running slot, unless the
// running one is of a later version (a concurrent write that installed
// first). Polling starts, continues or stops with the new plan: a new
// poller is due at once; an updated one keeps its schedule, brought
// forward if its interval shrank.
//
// For a write of this engine (written true), the resources whose URL or
// idField changed, or that were removed, are forgotten, so that their
// next cycle takes a new baseline: install returns them, with the
// instance marked busy, for the caller to forget and then release; or,
// while a cycle is in flight, leaves them to be forgotten before the next.
// An instance reloaded from the store was forgotten by its writer.
func (e *Engine) install(s *slot, written bool) (forgetNow []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	id := s.rec.ID
	old := e.slots[id]
	if old != nil && old.rec.Version >= s.rec.Version {
		return nil
	}
	e.subscriptionChanged(id, old, s)
	now := e.cfg.Clock.Now()
	due := now
	if old != nil {
		s.run = old.run
		e.unschedule(old)
		delete(e.tokens, tokenKey(old.token))
		if old.poller != nil && s.poller != nil && !old.due.IsZero() {
			due = old.due
			if s.interval < old.interval {
				due = minTime(due, now.Add(s.interval))
			}
		}
		if written {
			s.run.reset(changedResources(old.inst, s.inst)...)
		}
	} else {
		s.run = &runner{}
	}
	e.gen++
	s.gen = e.gen
	e.slots[id] = s
	if s.token != ([sha256.Size]byte{}) {
		e.tokens[tokenKey(s.token)] = id
	}
	s.due = due
	if s.run.busy { // put back, and forgotten, when its cycle ends
		return nil
	}
	if resets := s.run.take(); len(resets) > 0 {
		// Off the schedule until the caller has forgotten them and
		// released the instance.
		s.run.busy = true
		return resets
	}
	if s.poller != nil {
		e.put(s, due)
	}
	return nil
}

// remove stops the instance id and forgets its pollers' state (at once,
// or when its cycle in flight ends).
func (e *Engine) remove(ctx context.Context, id string, forget bool) {
	e.mu.Lock()
	s := e.slots[id]
	if s == nil {
		e.mu.Unlock()
		return
	}
	delete(e.slots, id)
	delete(e.tokens, tokenKey(s.token))
	e.unschedule(s)
	e.subscriptionChanged(id, s, nil)
	var resets []string
	if forget {
		s.run.reset(e.stateResources(s.inst)...)
		if s.run.busy {
			s.run.dropped = true
		} else {
			resets = s.run.take()
		}
	}
	e.mu.Unlock()
	e.forget(ctx, id, resets)
	if forget {
		if err := e.cfg.Tokens.Delete(ctx, s.rec.ElementKey+"/"+id); err != nil {
			e.cfg.Logger.Error("could not delete the instance's OAuth 2 token", "instance", id, "err", err)
		}
	}
}

// tokenKey is the map key of a token hash.
func tokenKey(h [sha256.Size]byte) string { return string(h[:]) }

// changedResources returns the resources of old that new polls from
// another URL or by another idField, or no longer polls.
func changedResources(old, new *element.Instance) []string {
	var out []string
	now := new.Configuration.Events.Resources
	for name, r := range old.Configuration.Events.Resources {
		n, ok := now[name]
		if !ok || n.URL != r.URL || n.IDField != r.IDField {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// stateResources returns the resources whose state a deleted instance
// leaves: its own, or for one without (a webhook instance, whose gap
// filler polls them) its element's.
func (e *Engine) stateResources(inst *element.Instance) []string {
	if names := resourceNames(inst); len(names) > 0 {
		return names
	}
	def, err := e.definition(inst.Element.Key)
	if err != nil {
		return nil
	}
	return slices.Sorted(maps.Keys(def.Resources))
}

// resourceNames returns the instance's resources, sorted.
func resourceNames(inst *element.Instance) []string {
	return slices.Sorted(maps.Keys(inst.Configuration.Events.Resources))
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// definition returns the element definition of key, one copy shared by
// every poller of the element: a poller only reads it. It is looked up
// again at each build, so a definition the catalogue replaced applies to
// the instances built after (the copy kept is replaced, never changed).
func (e *Engine) definition(key string) (*element.Definition, error) {
	fresh, ok := element.Default().Lookup(key)
	if !ok {
		return nil, fmt.Errorf("%w: element %q: %w", ErrInvalid, key, element.ErrUnknownElement)
	}
	e.defMu.Lock()
	defer e.defMu.Unlock()
	if cur := e.defs[key]; cur != nil && reflect.DeepEqual(cur, fresh) {
		return cur, nil
	}
	if e.defs == nil {
		e.defs = make(map[string]*element.Definition)
	}
	e.defs[key] = fresh
	return fresh, nil
}
