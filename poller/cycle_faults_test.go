package poller_test

// Vendor faults a cycle must survive without losing an event or making
// one up: a walk that ends before the vendor's total, a list that shifts
// while it is paged, and a Date header that disagrees with the clock that
// dates the records.

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/poller"
)

// faultySource wraps the fake store: it can answer one page empty (as a
// vendor does past the end, totals unchanged), run a change right before
// a page is served, leave out the totals and skew the Date header.
type faultySource struct {
	store *store

	mu           sync.Mutex
	emptyPage    int            // this page (1-based) comes back empty once, ending the walk
	before       map[int]func() // runs once, right before page p is served
	dateSkew     time.Duration  // added to the Date header
	noTotal      bool           // the vendor announces no record count
	noTotalPages bool           // the vendor announces no page count
}

// withFaulty returns a Config change that puts f in front of the rig's
// store.
func withFaulty(f *faultySource, more ...func(*poller.Config)) func(*poller.Config) {
	return func(c *poller.Config) {
		f.store = c.Source.(*store)
		c.Source = f
		for _, m := range more {
			m(c)
		}
	}
}

func (f *faultySource) Fetch(ctx context.Context, req poller.Request) (*poller.Page, error) {
	page := 1
	if req.Token != "" {
		page, _ = strconv.Atoi(req.Token)
	}
	f.mu.Lock()
	hook := f.before[page]
	delete(f.before, page)
	empty := f.emptyPage == page
	if empty {
		f.emptyPage = 0
	}
	skew, noTotal, noTotalPages := f.dateSkew, f.noTotal, f.noTotalPages
	f.mu.Unlock()
	if hook != nil {
		hook()
	}
	p, err := f.store.Fetch(ctx, req)
	if err != nil {
		return nil, err
	}
	p.Date = p.Date.Add(skew)
	if empty {
		p.Records, p.Next = nil, ""
	}
	if noTotal {
		p.Total = -1
	}
	if noTotalPages {
		p.TotalPages = -1
	}
	return p, nil
}

func (f *faultySource) set(fn func(f *faultySource)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (r *rig) state1(t *testing.T) *poller.ResourceState {
	t.Helper()
	st, err := r.state.Load(t.Context(), poller.StateKey{Instance: "inst-1", Resource: "customers"})
	require.NoError(t, err)
	return st
}

// A walk that ends before the vendor's announced total or page count must
// not move the window: a record on a page it never fetched is reported by
// the next cycle, not taken for old news.
func TestCyclePartialWalkKeepsTheWindow(t *testing.T) {
	t.Parallel()
	// Customers 1-6 exist; then 7 is created and 8 updated. The
	// customers snapshot lists 1-3, 4-6 and 7-8 (3 a page); the date
	// window lists 1-3, 4-6 and 7.
	snapshotChange := func(r *rig, at time.Time) {
		r.store.put(2, "changed", t0.Add(-time.Hour), at)
		r.store.put(7, "new", at, at)
		r.store.put(8, "new", at, at)
	}
	windowChange := func(r *rig, at time.Time) {
		for id := 1; id <= 6; id++ {
			r.store.put(id, "changed", t0.Add(-time.Hour), at)
		}
		r.store.put(7, "new", at, at)
	}
	tests := []struct {
		name     string
		resource string
		change   func(r *rig, at time.Time)
		fault    func(f *faultySource)
		// wantShort is what the short walk reports, wantNext what the
		// next cycle adds.
		wantShort, wantNext []string
	}{
		{
			name: "snapshot, page 2 of 3 empty, total and page count announced", resource: customersResource, change: snapshotChange,
			fault:     func(f *faultySource) { f.emptyPage = 2 },
			wantShort: []string{"UPDATED 2"}, wantNext: []string{"CREATED 7", "CREATED 8"},
		},
		{
			name: "snapshot, page 2 of 3 empty, only the total announced", resource: customersResource, change: snapshotChange,
			fault:     func(f *faultySource) { f.emptyPage, f.noTotalPages = 2, true },
			wantShort: []string{"UPDATED 2"}, wantNext: []string{"CREATED 7", "CREATED 8"},
		},
		{
			name: "snapshot, page 2 of 3 empty, only the page count announced", resource: customersResource, change: snapshotChange,
			fault:     func(f *faultySource) { f.emptyPage, f.noTotal = 2, true },
			wantShort: []string{"UPDATED 2"}, wantNext: []string{"CREATED 7", "CREATED 8"},
		},
		{
			name: "date window, page 2 of 3 empty", resource: filteredResource, change: windowChange,
			fault:     func(f *faultySource) { f.emptyPage = 2 },
			wantShort: []string{"UPDATED 1", "UPDATED 2", "UPDATED 3"}, wantNext: []string{"CREATED 7", "UPDATED 4", "UPDATED 5", "UPDATED 6"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &faultySource{}
			r := newRig(t, tt.resource, withFaulty(f))
			for id := 1; id <= 6; id++ {
				r.store.put(id, "x", t0.Add(-time.Hour), t0.Add(-time.Hour))
			}
			require.NoError(t, r.poll(t).Err)
			before := r.state1(t)

			tt.change(r, r.clock.Now().Add(time.Second))
			f.set(tt.fault)
			res := r.poll(t)
			require.NoError(t, res.Err, "a short walk is not an error")
			require.True(t, res.Partial)
			require.False(t, res.Snapshot, "no DELETED from a short walk")
			require.Equal(t, tt.wantShort, r.sink.take(), "what the short walk read goes out")
			after := r.state1(t)
			require.True(t, before.Watermark.Equal(after.Watermark), "the watermark stays")
			require.Equal(t, before.Cycles, after.Cycles, "the cycle does not count")

			res = r.poll(t)
			require.NoError(t, res.Err)
			require.False(t, res.Partial)
			require.Equal(t, tt.wantNext, r.sink.take(), "the next cycle reports what the short walk missed")
			require.Equal(t, before.Cycles+1, r.state1(t).Cycles)
			require.Empty(t, pollTwice(t, r), "nothing twice")
		})
	}
}

// A first cycle whose walk ends early is taken again: the records it did
// not see become part of the baseline, not CREATED.
func TestCyclePartialBaselineIsTakenAgain(t *testing.T) {
	t.Parallel()
	f := &faultySource{emptyPage: 2}
	r := newRig(t, customersResource, withFaulty(f))
	for id := 1; id <= 7; id++ {
		r.store.put(id, "x", t0.Add(-time.Hour), t0.Add(-time.Hour))
	}
	res := r.poll(t)
	require.NoError(t, res.Err)
	require.True(t, res.Partial)
	st := r.state1(t)
	require.Zero(t, st.Cycles)
	require.True(t, st.Watermark.IsZero())
	require.Equal(t, 3, st.Records.Len(), "what it read is remembered")

	require.NoError(t, r.poll(t).Err)
	require.Empty(t, r.sink.take(), "the baseline is silent, also when taken twice")
	require.EqualValues(t, 1, r.state1(t).Cycles)
	require.Empty(t, pollTwice(t, r))
}

// A list that shrinks under the cursor skips a record: the walk reads
// fewer records than the first page announced, and the skipped record, new
// since the last poll, is reported by the next cycle.
func TestCycleListShrinksUnderTheCursor(t *testing.T) {
	t.Parallel()
	f := &faultySource{}
	r := newRig(t, customersResource, withFaulty(f))
	for _, id := range []int{1, 2, 3, 5, 6, 7, 8} {
		r.store.put(id, "x", t0.Add(-time.Hour), t0.Add(-time.Hour))
	}
	require.NoError(t, r.poll(t).Err)

	now := r.clock.Now()
	r.store.put(4, "new", now.Add(time.Second), now.Add(time.Second))
	// After page 1 (1, 2, 3), 2 goes: page 2 is then 5, 6, 7, and 4 is
	// never served.
	f.set(func(f *faultySource) { f.before = map[int]func(){2: func() { r.store.remove(2) }} })
	res := r.poll(t)
	require.NoError(t, res.Err)
	require.True(t, res.Partial, "7 records read, 8 announced")
	require.Empty(t, r.sink.take())

	res = r.poll(t)
	require.NoError(t, res.Err)
	require.Equal(t, []string{"CREATED 4"}, r.sink.take())
	res = r.poll(t)
	require.NoError(t, res.Err)
	require.Equal(t, []string{"DELETED 2"}, r.sink.take(), "confirmed by a second complete snapshot")
}

// One record deleted behind the cursor and one added at the end keep the
// count the vendor announced while a record is skipped: the snapshot looks
// complete. By default nothing is DELETED until a second snapshot agrees.
func TestCycleSkippedRecordIsNotDeleted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		single bool
		want   []string // what the faulty cycle reports
	}{
		{"default: two snapshots in a row", false, []string{"CREATED 8"}},
		// The opt-out shows what the default prevents: 4 exists, and its
		// DELETED is never taken back.
		{"SingleSnapshotDeletes", true, []string{"CREATED 8", "DELETED 4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &faultySource{}
			r := newRig(t, customersResource, withFaulty(f, func(c *poller.Config) { c.SingleSnapshotDeletes = tt.single }))
			for id := 1; id <= 7; id++ {
				r.store.put(id, "x", t0.Add(-time.Hour), t0.Add(-time.Hour))
			}
			require.NoError(t, r.poll(t).Err)

			// After page 1 (1, 2, 3), 1 goes and 8 comes: page 2 is 5, 6, 7
			// and page 3 is 8. Seven records read, seven announced; 4 skipped.
			f.set(func(f *faultySource) {
				f.before = map[int]func(){2: func() {
					r.store.remove(1)
					now := r.clock.Now()
					r.store.put(8, "new", now, now)
				}}
			})
			res := r.poll(t)
			require.NoError(t, res.Err)
			require.False(t, res.Partial)
			require.True(t, res.Snapshot, "the counts agree")
			require.Equal(t, tt.want, r.sink.take())
			if !tt.single {
				require.Equal(t, map[string]int{"4": 1}, r.state1(t).Missing)
			}

			require.NoError(t, r.poll(t).Err)
			require.Equal(t, []string{"DELETED 1"}, pollTwice(t, r), "the real deletion is reported, once")
			require.Empty(t, r.state1(t).Missing)
		})
	}
}

// A record missing from one complete snapshot, back in the next and
// missing again starts its count again: it is not deleted on the third.
func TestCycleMissingCountRestartsWhenSeen(t *testing.T) {
	t.Parallel()
	r := newRig(t, customersResource, nil)
	for id := 1; id <= 3; id++ {
		r.store.put(id, "x", t0.Add(-time.Hour), t0.Add(-time.Hour))
	}
	require.NoError(t, r.poll(t).Err)
	r.store.remove(2)
	require.NoError(t, r.poll(t).Err)
	r.store.put(2, "x", t0.Add(-time.Hour), t0.Add(-time.Hour))
	require.NoError(t, r.poll(t).Err)
	r.store.remove(2)
	require.NoError(t, r.poll(t).Err)
	require.Empty(t, r.sink.take(), "never missing twice in a row")
	require.NoError(t, r.poll(t).Err)
	require.Equal(t, []string{"DELETED 2"}, r.sink.take())
}

// On a resource whose URL filters by date, snapshots come every
// SnapshotEvery cycles; a snapshot that finds a record missing is
// followed by another at once, so the deletion is not held back for
// SnapshotEvery more cycles.
func TestCycleMissingRecordBringsTheNextSnapshot(t *testing.T) {
	t.Parallel()
	r := newRig(t, filteredResource, nil)
	for id := 1; id <= 4; id++ {
		r.store.put(id, "x", t0.Add(-time.Hour), t0.Add(-time.Hour))
	}
	require.False(t, r.poll(t).Snapshot, "the baseline proves no deletion") // cycle 1
	r.store.remove(3)
	require.False(t, r.poll(t).Snapshot) // cycle 2
	require.False(t, r.poll(t).Snapshot) // cycle 3
	res := r.poll(t)                     // cycle 4: a snapshot
	require.True(t, res.Snapshot)
	require.Empty(t, r.sink.take())
	res = r.poll(t) // cycle 5: another, since 3 is missing
	require.True(t, res.Snapshot, "a pending deletion makes the next cycle a snapshot")
	require.Equal(t, []string{"DELETED 3"}, r.sink.take())
	require.False(t, r.poll(t).Snapshot, "nothing pending: back to every 4th cycle")
}

// With SingleSnapshotDeletes no missing count is kept, not even one left
// by a poller that confirmed.
func TestCycleSingleSnapshotDeletesKeepsNoCounts(t *testing.T) {
	t.Parallel()
	r := newRig(t, customersResource, nil)
	for id := 1; id <= 3; id++ {
		r.store.put(id, "x", t0.Add(-time.Hour), t0.Add(-time.Hour))
	}
	require.NoError(t, r.poll(t).Err)
	r.store.remove(2)
	require.NoError(t, r.poll(t).Err)
	require.Equal(t, map[string]int{"2": 1}, r.state1(t).Missing)

	r.p = r.poller(t, customersResource, func(c *poller.Config) { c.SingleSnapshotDeletes = true })
	r.store.put(2, "x", t0.Add(-time.Hour), t0.Add(-time.Hour))
	r.store.remove(3)
	require.NoError(t, r.poll(t).Err)
	require.Equal(t, []string{"DELETED 3"}, r.sink.take())
	require.Empty(t, r.state1(t).Missing)
}

// The next window starts at the earlier of the vendor's Date and the local
// clock: a record changed right after a poll is in the next window
// whichever of the two runs ahead of the clock that dates the records.
func TestCycleWatermarkUnderClockSkew(t *testing.T) {
	t.Parallel()
	const skew = 10 * time.Minute
	tests := []struct {
		name string
		// dateSkew is the Date header's lead on the local clock;
		// recordSkew the lead of the clock that dates the records.
		dateSkew, recordSkew time.Duration
		lookback             time.Duration
	}{
		{"Date header ahead of the records and the local clock", skew, 0, 0},
		{"Date header behind the records and the local clock", -skew, 0, 0},
		{"vendor clock ahead (Date and records)", skew, skew, 0},
		{"vendor clock behind (Date and records)", -skew, -skew, 0},
		{"records behind both, within Lookback", 0, -skew, skew + time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &faultySource{dateSkew: tt.dateSkew}
			r := newRig(t, filteredResource, withFaulty(f, func(c *poller.Config) { c.Lookback = tt.lookback }))
			r.store.put(1, "x", t0.Add(-time.Hour), t0.Add(-time.Hour))
			require.NoError(t, r.poll(t).Err)
			start := r.clock.Now()
			require.True(t, r.state1(t).Watermark.Equal(start.Add(min(tt.dateSkew, 0))), "the earlier of the Date and the local start")

			// Cycle 2 reads a date window, not a snapshot.
			at := r.clock.Now().Add(tt.recordSkew + time.Second)
			r.store.put(2, "new", at, at)
			res := r.poll(t)
			require.NoError(t, res.Err)
			require.False(t, res.Snapshot)
			require.Equal(t, []string{"CREATED 2"}, r.sink.take())

			at = r.clock.Now().Add(tt.recordSkew + time.Second)
			r.store.put(1, "changed", t0.Add(-time.Hour), at)
			require.NoError(t, r.poll(t).Err)
			require.Equal(t, []string{"UPDATED 1"}, r.sink.take())
			require.Empty(t, pollTwice(t, r), "the wider window repeats nothing")
		})
	}
}

// pollTwice runs two cycles and returns what they reported.
func pollTwice(t *testing.T, r *rig) []string {
	t.Helper()
	require.NoError(t, r.poll(t).Err)
	require.NoError(t, r.poll(t).Err)
	return r.sink.take()
}
