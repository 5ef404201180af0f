package poller

import (
	"context"
	"fmt"
	"time"

	"github.com/a12b7632/elementevents/events"
)

// ResyncMode says what [Poller.Resync] does with the records it lists.
type ResyncMode int

const (
	// ResyncBaseline forgets the remembered records and takes a new
	// baseline: every record listed is remembered and none is reported,
	// as on a first run with FirstRun Baseline. The next cycle reports
	// only what changes after it.
	ResyncBaseline ResyncMode = iota
	// ResyncFull reports every record listed once, changed or not, and
	// remembers them all. A record is CREATED or UPDATED by its dates, as
	// a record first seen in a window is (updated within
	// createdCheckTolerance of its creation, or with only one date, is
	// CREATED; later is UPDATED; CREATED when filtering by created date);
	// one without usable dates is UPDATED when remembered, else CREATED.
	// A record dated after the resync started, under
	// filterByCurrentDate, is left to the next cycle, as in any cycle.
	// Remembered records it does not list are deleted as in any complete
	// snapshot: confirmed by a second one unless SingleSnapshotDeletes,
	// and under the delete guard.
	ResyncFull
)

// String returns "baseline" or "full".
func (m ResyncMode) String() string {
	switch m {
	case ResyncBaseline:
		return "baseline"
	case ResyncFull:
		return "full"
	}
	return fmt.Sprintf("ResyncMode(%d)", int(m))
}

// Resync runs now, in mode, one cycle of resource ("" for every resource,
// up to Parallelism at a time) that lists the whole resource (a snapshot,
// whatever the date filter of its URL), and returns the results sorted by
// resource, as [Poller.Poll] does; OnCycle is called for each.
//
// It waits for a running cycle of the resource to end and never overlaps
// one. It moves the watermark and counts the cycle as a successful cycle
// does, so the next cycle's window starts at the resync. A resync whose
// walk ended early (Result.Partial) reports and remembers what it saw,
// and leaves the watermark and cycle count as they were, as any cycle
// does; a partial ResyncBaseline still forgets the records it did not
// see. After an error (in Result.Err) nothing is remembered or forgotten.
//
// It fails, in Result.Err, for a resource the Poller does not poll or an
// unknown mode, wrapping [ErrConfig] and naming it; for a resource
// stopped by [ErrUnauthorized]; and, as Poll does, for every resource
// while the vendor refuses the instance's authorisation.
func (p *Poller) Resync(ctx context.Context, resource string, mode ResyncMode) []Result {
	names := p.Resources()
	if resource != "" {
		if _, err := p.resource(resource); err != nil {
			return []Result{{Resource: resource, Err: err}}
		}
		names = []string{resource}
	}
	if mode != ResyncBaseline && mode != ResyncFull {
		results := make([]Result, len(names))
		for i, name := range names {
			results[i] = Result{Resource: name, Err: fmt.Errorf("%w: resync mode %v is neither ResyncBaseline nor ResyncFull", ErrConfig, mode)}
		}
		return results
	}
	return p.each(ctx, names, cycleKind{resync: &mode})
}

// resyncType is the event a full resync reports for a record: judged by
// its dates as a record not remembered and dated within the window, or,
// without usable dates, UPDATED when remembered, else CREATED.
func (p *plan) resyncType(d recordDates, known bool) events.Type {
	if !d.hasDate {
		if known {
			return events.Updated
		}
		return events.Created
	}
	typ, _ := p.classify(d, false, d.date.Add(-time.Nanosecond))
	return typ
}

// forgotten returns the ids st remembers that a baseline does not keep.
func forgotten(st *ResourceState, keep map[string]Record) []string {
	var out []string
	for id := range st.Records.All() {
		if _, ok := keep[id]; !ok {
			out = append(out, id)
		}
	}
	return out
}

// ResetState forgets what st remembers of one resource of one instance:
// its records, their missing counts, the watermark and the cycle count,
// so that the resource's next cycle is a first run (by default a
// baseline, see Config.FirstRun). It uses only st's Load and Commit, so
// it works on every [State]. Reset a resource when its URL or idField
// changes, since the records remembered no longer match what it lists,
// and every resource of an instance that is deleted.
//
// A Poller keeps in memory the state it loaded, and commits its changes
// on top of it: reset the state of a Poller that is not running and use a
// new Poller after, or, for a running one, call [Poller.Resync] with
// [ResyncBaseline]. A state with nothing to forget is left as it is.
func ResetState(ctx context.Context, st State, key StateKey) error {
	cur, err := st.Load(ctx, key)
	if err != nil {
		return fmt.Errorf("poller: reset state of instance %q resource %q: load: %w", key.Instance, key.Resource, err)
	}
	if cur.Watermark.IsZero() && cur.Cycles == 0 && cur.Records.Len() == 0 && len(cur.Missing) == 0 {
		return nil
	}
	del := make([]string, 0, cur.Records.Len())
	for id := range cur.Records.All() {
		del = append(del, id)
	}
	if err := st.Commit(ctx, key, Change{Delete: del, Missing: map[string]int{}}); err != nil {
		return fmt.Errorf("poller: reset state of instance %q resource %q: commit: %w", key.Instance, key.Resource, err)
	}
	return nil
}
