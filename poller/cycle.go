package poller

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/a12b7632/elementevents/events"
)

// cycleKind says which cycle runs: a scheduled one (the zero value), a
// backfill or a resync.
type cycleKind struct {
	// backfill, when set, starts the window there: the cycle is never a
	// snapshot and never moves the watermark (see [Poller.Backfill]).
	backfill *time.Time
	// resync, when set, makes the cycle a snapshot of the whole list in
	// that mode (see [Poller.Resync]).
	resync *ResyncMode
}

// cycle polls one resource once: fetch every page of the window, decide
// what changed against the remembered state, publish, and only then
// commit the new state.
func (p *Poller) cycle(ctx context.Context, r *resource, kind cycleKind) (res Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	clock := p.cfg.Clock
	start := clock.Now()
	res = Result{Resource: r.name, Start: start, Events: map[events.Type]int{}}
	defer func() { res.Duration = clock.Since(start) }()

	if err := p.loadState(ctx, r); err != nil {
		res.Err = err
		return res
	}
	st := r.state
	first := st.Cycles == 0 && st.Watermark.IsZero()

	since := st.Watermark.Add(-r.back)
	if first {
		since = time.Time{}
		if p.cfg.FirstRun == EmitSince {
			since = p.cfg.Since
		}
	}
	confirm := !p.cfg.SingleSnapshotDeletes
	// A record missing from the last complete snapshot, or held by the
	// delete guard, is confirmed or cleared by the very next cycle, not
	// SnapshotEvery cycles later.
	pending := len(st.Missing) > 0
	snapshot := first || r.snapshots || pending || (p.cfg.SnapshotEvery > 0 && (st.Cycles+1)%int64(p.cfg.SnapshotEvery) == 0)
	silent := first && p.cfg.FirstRun == Baseline
	backfill := kind.backfill
	if backfill != nil {
		since, snapshot, silent = *backfill, false, false
	}
	baseline := kind.resync != nil && *kind.resync == ResyncBaseline
	if kind.resync != nil {
		since, snapshot, silent = time.Time{}, true, baseline
	}
	fetchSince := since
	if snapshot {
		fetchSince = time.Time{}
	}

	r.seen.reset()
	defer r.seen.trim()
	d := decider{
		r: r, st: st, since: since, pollDate: start,
		silent:  silent,
		seen:    &r.seen,
		upserts: make(map[string]Record),
	}
	if r.cfg.FilterByCurrentDate {
		d.until = start
	}
	if baseline {
		// Judged against nothing remembered, every record it sees is
		// remembered anew, and those it does not see are forgotten below.
		d.st = &ResourceState{}
	}
	d.all = kind.resync != nil && *kind.resync == ResyncFull
	// The largest totals any page announced: a list that shrank while it
	// was paged shifted records past the cursor, so the walk must have
	// seen at least the most the vendor ever claimed.
	total, totalPages := -1, -1
	var vendorDate time.Time
	walk := pageWalk{resource: r.name, max: r.maxPages}
	token := ""
	for {
		page, err := p.cfg.Source.Fetch(ctx, Request{Resource: r.name, Config: r.cfg, Since: fetchSince, Token: token})
		if err != nil {
			if errors.Is(err, ErrUnauthorized) {
				r.stopped.Store(true)
			}
			res.Err = err
			return res
		}
		res.Pages++
		if res.Pages == 1 {
			vendorDate = page.Date
			if !vendorDate.IsZero() {
				d.pollDate = vendorDate
			}
		}
		total, totalPages = max(total, page.Total), max(totalPages, page.TotalPages)
		res.Records += len(page.Records)
		evs := len(d.events)
		for i, rec := range page.Records {
			d.record(rec, page.foundIn(i, r.x))
		}
		next := page.Next
		if len(d.events) == evs {
			// No event holds a record of the page: its memory can take
			// the next page.
			page.release()
		}
		if next == "" {
			break
		}
		if err := walk.next(res.Pages, token, next); err != nil {
			// Nothing is published: the pages seen may be a part of the
			// list, whose missing records must not be taken for deleted.
			res.Err = err
			return res
		}
		token = next
	}
	if d.badDates > 0 {
		p.cfg.Logger.Warn("poller: dates that do not match their pattern; those records were judged by content", "instance", p.instance.ID, "resource", r.name, "count", d.badDates,
			"updatedDateFormat", r.cfg.Dates.UpdatedFormat, "createdDateFormat", r.cfg.Dates.CreatedFormat)
	}
	if d.bad > 0 {
		p.cfg.Logger.Warn("poller: records without a usable id were skipped", "instance", p.instance.ID, "resource", r.name, "count", d.bad, "first_error", d.firstErr)
	}

	// A walk that ended before the vendor's announced total or page count
	// (an empty page in the middle, a list that shrank under the cursor)
	// missed records that are still there. What it saw is published and
	// remembered, but the cycle does not count: the watermark and the
	// cycle count stay, so the next cycle covers the same window again
	// rather than taking a missed record for old news.
	read := d.seen.len() + d.bad
	partial := (total >= 0 && read < total) || (totalPages >= 0 && res.Pages < totalPages)
	res.Partial = partial
	if partial {
		p.cfg.Logger.Warn("poller: pagination ended early; the next cycle covers the same window again", "instance", p.instance.ID, "resource", r.name,
			"records", read, "total", total, "pages", res.Pages, "totalPages", totalPages)
	}

	// A snapshot proves deletions only if it is complete: every page
	// fetched, every record readable, and the count the vendor announced
	// matches. Even then a record can have slipped past the cursor while
	// another was added behind it, so by default an id is deleted only
	// when missing from two complete snapshots in a row.
	complete := snapshot && !first && !partial && d.bad == 0 && (total < 0 || total == d.seen.len())
	res.Snapshot = complete
	var deletes, forget []string
	var missing map[string]int
	var guard guardOutcome
	switch {
	case baseline:
		forget, missing = forgotten(st, d.upserts), map[string]int{}
	case complete:
		deletes, missing = d.deletions(confirm)
		deletes, guard = p.guard(&d, deletes, missing)
	}

	// The next window starts at the earlier of the vendor's Date (on the
	// first page) and the local clock at the cycle's start: records are
	// dated by a clock one of the two usually shows, and a window that
	// starts late loses changes while one that starts early only fetches
	// again what state already knows.
	watermark := start
	if !vendorDate.IsZero() && vendorDate.Before(start) {
		watermark = vendorDate
	}
	cycles := st.Cycles + 1
	switch {
	case partial:
		watermark, cycles = st.Watermark, st.Cycles
	case backfill != nil:
		watermark, cycles = backfillWatermark(st, since, r.back, watermark), st.Cycles
	}
	evs := d.events
	for _, id := range deletes {
		evs = append(evs, d.event(events.Deleted, id, d.pollDate, nil))
	}
	if err := p.publish(ctx, r, evs); err != nil {
		res.Err = err
		return res
	}
	for _, e := range evs {
		res.Events[e.Type]++
	}
	change := Change{Watermark: watermark, Cycles: cycles, Upsert: d.upserts, Delete: append(deletes, forget...), Missing: missing}
	if err := p.cfg.State.Commit(ctx, StateKey{Instance: p.instance.ID, Resource: r.name}, change); err != nil {
		// The events went out; the next cycle re-emits them with the same
		// ids, which consumers deduplicate. Nothing is lost.
		res.Err = fmt.Errorf("poller: commit state of %s: %w", r.name, err)
		return res
	}
	change.Apply(st)
	held, _ := p.heldIDs(st)
	res.Held = len(held)
	p.reportGuard(ctx, r, guard, start)
	return res
}

// loadState loads the remembered state of r on first use. The caller
// holds r.mu.
func (p *Poller) loadState(ctx context.Context, r *resource) error {
	if r.state != nil {
		return nil
	}
	st, err := p.cfg.State.Load(ctx, StateKey{Instance: p.instance.ID, Resource: r.name})
	if err != nil {
		return fmt.Errorf("poller: load state of %s: %w", r.name, err)
	}
	r.state = st
	return nil
}

// publish completes evs (element, hub, deterministic id) and hands them
// to the Sink as one batch; nothing is published for none.
func (p *Poller) publish(ctx context.Context, r *resource, evs []events.Event) error {
	if len(evs) == 0 {
		return nil
	}
	for i := range evs {
		evs[i].ElementKey = p.cfg.Definition.Key
		evs[i].HubKey = p.cfg.Definition.Hub
		evs[i].ID = events.NewID(p.instance.ID, r.name, evs[i].ObjectID, evs[i].Type, evs[i].Date)
	}
	b := events.Batch{Instance: p.instance, Endpoint: p.endpoint, Source: events.FromPolling, Events: evs}
	if err := p.cfg.Sink.Publish(ctx, b); err != nil {
		return fmt.Errorf("poller: publish %d events of %s: %w", len(evs), r.name, err)
	}
	return nil
}
