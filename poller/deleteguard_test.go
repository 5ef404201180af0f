package poller_test

import (
	"cmp"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/internal/logbuf"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
)

// guardCustomers is the definition's customers resource, ten a page.
const guardCustomers = `"event.poller.configuration": {"customers": {
	"url": "/hubs/ecommerce/customers?orderby=id&order=asc", "idField": "id", "pageSize": 10,
	"datesConfiguration": {
	  "updatedDateField": "date_modified_gmt", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "updatedDateTimezone": "GMT",
	  "createdDateField": "date_created_gmt", "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "createdDateTimezone": "GMT"}}}`

// guardRig is the fake WooCommerce with n customers, a poller that took
// its baseline of them, and what the guard reports besides events.
type guardRig struct {
	*e2eWooRig
	mu    sync.Mutex
	holds []int // OnDeletesHeld's counts
	log   logbuf.Buffer
	saved map[int]vendortest.Customer
}

func newGuardRig(t *testing.T, n int, mod func(*poller.Config)) *guardRig {
	t.Helper()
	g := &guardRig{saved: map[int]vendortest.Customer{}}
	g.e2eWooRig = newE2EWooRig(t, guardCustomers, func(c *poller.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&g.log, nil))
		c.OnDeletesHeld = func(resource string, held int) {
			require.Equal(t, "customers", resource)
			g.mu.Lock()
			defer g.mu.Unlock()
			g.holds = append(g.holds, held)
		}
		if mod != nil {
			mod(c)
		}
	})
	g.seedCustomers(n)
	c := g.poll(t)
	require.NoError(t, c.res.Err)
	require.Empty(t, c.batches)
	return g
}

// remove deletes customers from..to at the store, keeping them to restore.
func (g *guardRig) remove(from, to int) {
	for id := from; id <= to; id++ {
		c, ok := g.store.Customer(id)
		require.True(g.t, ok)
		g.saved[id] = c
		g.deleteCustomer(id)
	}
}

// restore puts back customers from..to as they were.
func (g *guardRig) restore(from, to int) {
	for id := from; id <= to; id++ {
		g.store.PutCustomer(g.saved[id])
	}
}

// cycle polls once and returns the result, the events as "TYPE id" and
// the statuses published.
func (g *guardRig) cycle(t *testing.T) (poller.Result, []string, []events.Status) {
	t.Helper()
	c := g.poll(t)
	require.NoError(t, c.res.Err)
	require.True(t, c.res.Snapshot)
	return c.res, e2eSummary(c.batches), statuses(c.batches)
}

func (g *guardRig) hooks() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]int(nil), g.holds...)
}

func (g *guardRig) warnings() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for line := range strings.Lines(g.log.String()) {
		if strings.Contains(line, "level=WARN") {
			out = append(out, line)
		}
	}
	return out
}

func statuses(bs []events.Batch) []events.Status {
	var out []events.Status
	for _, b := range bs {
		if b.Status != nil {
			out = append(out, *b.Status)
		}
	}
	return out
}

// One snapshot that would delete more than the share and the count is
// held; below either, the deletes go out as before.
func TestDeleteGuardThresholds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                  string
		remembered, deleted   int
		mod                   func(*poller.Config)
		held                  bool
		wantDeleted, wantHeld int
	}{
		{name: "all of 30: held", remembered: 30, deleted: 30, held: true},
		{name: "21 of 30 (70%): held", remembered: 30, deleted: 21, held: true},
		{name: "26 of 50 (52%): held", remembered: 50, deleted: 26, held: true},
		{name: "25 of 50 (50%, not more): deleted", remembered: 50, deleted: 25},
		{name: "20 of 20 (not more than 20): deleted", remembered: 20, deleted: 20},
		{name: "20 of 30: deleted", remembered: 30, deleted: 20},
		{name: "6 of 30 with share 0.1 and count 5: held", remembered: 30, deleted: 6, held: true,
			mod: func(c *poller.Config) { c.DeleteGuardShare, c.DeleteGuardCount = 0.1, 5 }},
		{name: "5 of 30 with share 0.1 and count 5: deleted", remembered: 30, deleted: 5,
			mod: func(c *poller.Config) { c.DeleteGuardShare, c.DeleteGuardCount = 0.1, 5 }},
		{name: "all of 30 with share 1 (guard off): deleted", remembered: 30, deleted: 30,
			mod: func(c *poller.Config) { c.DeleteGuardShare = 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGuardRig(t, tt.remembered, tt.mod)
			g.remove(1, tt.deleted)
			res, evs, sts := g.cycle(t)
			st := g.load(t, "customers")
			if !tt.held {
				require.Equal(t, e2eWant(events.Deleted, e2eIDs(1, tt.deleted)...), sortedIDs(evs))
				require.Zero(t, res.Held)
				require.Empty(t, sts)
				require.Empty(t, g.hooks())
				require.Empty(t, g.warnings())
				require.Equal(t, tt.remembered-tt.deleted, st.Records.Len())
				return
			}
			require.Empty(t, evs, "no DELETED while held")
			require.Equal(t, tt.deleted, res.Held)
			require.Equal(t, []int{tt.deleted}, g.hooks())
			require.Len(t, g.warnings(), 1)
			require.Len(t, sts, 1)
			require.Equal(t, events.DeletesHeld, sts[0].State)
			require.Equal(t, "customers", sts[0].ObjectType)
			require.Equal(t, tt.deleted, sts[0].Count)
			require.Equal(t, tt.remembered, st.Records.Len(), "held records stay remembered")
		})
	}
}

// sortedIDs sorts "TYPE id" strings by type, then numeric id, as e2eIDs
// numbers them; nil for none.
func sortedIDs(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := slices.Clone(s)
	slices.SortFunc(out, func(a, b string) int {
		ta, ia, _ := strings.Cut(a, " ")
		tb, ib, _ := strings.Cut(b, " ")
		na, _ := strconv.Atoi(ia)
		nb, _ := strconv.Atoi(ib)
		return cmp.Or(cmp.Compare(ta, tb), cmp.Compare(na, nb))
	})
	return out
}

// A store whose list turns complete but empty does not produce mass
// DELETED: with deletes confirmed by two snapshots (the default), the
// second holds them, reported once, and they go out, once each, only after
// two more snapshots confirm them.
func TestDeleteGuardEmptyStoreConfirmed(t *testing.T) {
	t.Parallel()
	g := newGuardRig(t, 30, func(c *poller.Config) { c.SingleSnapshotDeletes = false })
	g.remove(1, 30)

	want := []struct {
		held     int
		deleted  int
		statuses int
	}{
		{held: 0},               // missing once: not yet a delete
		{held: 30, statuses: 1}, // the delete it would be: held
		{held: 30},              // confirmed once
		{deleted: 30},           // confirmed twice: published
		{},                      // and never again
	}
	var all []string
	for i, w := range want {
		res, evs, sts := g.cycle(t)
		require.Equal(t, w.held, res.Held, "cycle %d", i)
		require.Len(t, evs, w.deleted, "cycle %d", i)
		require.Len(t, sts, w.statuses, "cycle %d", i)
		all = append(all, evs...)
	}
	require.Equal(t, e2eWant(events.Deleted, e2eIDs(1, 30)...), sortedIDs(all), "every record DELETED exactly once")
	require.Equal(t, []int{30}, g.hooks(), "the hook is called once per hold")
	require.Len(t, g.warnings(), 1, "one warning per hold")
	require.Zero(t, g.load(t, "customers").Records.Len())
}

// Held records that come back are never DELETED; when none is held any
// more, a Recovered status says so.
func TestDeleteGuardRecordsComeBack(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		back     int // customers 1..back come back
		deleted  []string
		recovers bool
	}{
		{name: "all come back: Recovered", back: 30, recovers: true},
		{name: "some come back: the rest are deleted once confirmed", back: 25, deleted: e2eWant(events.Deleted, e2eIDs(26, 30)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGuardRig(t, 30, nil)
			g.remove(1, 30)
			res, _, _ := g.cycle(t)
			require.Equal(t, 30, res.Held)

			g.restore(1, tt.back)
			res, evs, sts := g.cycle(t)
			require.Empty(t, evs, "a record that came back is not reported")
			require.Equal(t, 30-tt.back, res.Held)
			if tt.recovers {
				require.Len(t, sts, 1)
				require.Equal(t, events.Recovered, sts[0].State)
				require.Equal(t, events.DeletesHeld, sts[0].Cause)
				require.Equal(t, "customers", sts[0].ObjectType)
				require.Equal(t, 30, sts[0].Count)
			} else {
				require.Empty(t, sts)
			}
			var all []string
			for range 3 {
				_, evs, sts := g.cycle(t)
				require.Empty(t, sts)
				all = append(all, evs...)
			}
			require.Equal(t, tt.deleted, sortedIDs(all))
			require.Equal(t, []int{30}, g.hooks())
			require.Equal(t, 30-len(tt.deleted), g.load(t, "customers").Records.Len())
		})
	}
}

// The host ends a hold: ConfirmDeletes publishes the held deletes now,
// DropDeletes forgets them and keeps the records.
func TestDeleteGuardConfirmAndDrop(t *testing.T) {
	t.Parallel()
	t.Run("confirm", func(t *testing.T) {
		t.Parallel()
		g := newGuardRig(t, 30, nil)
		g.remove(1, 30)
		g.cycle(t)
		n, err := g.p.ConfirmDeletes(t.Context(), "customers")
		require.NoError(t, err)
		require.Equal(t, 30, n)
		bs := g.sink.Take()
		require.Equal(t, e2eWant(events.Deleted, e2eIDs(1, 30)...), sortedIDs(e2eSummary(bs)))
		for _, e := range bs[0].Events {
			require.Equal(t, events.NewID(e2eWooInstanceID, "customers", e.ObjectID, events.Deleted, e.Date), e.ID)
			require.Equal(t, "woocommercerest", e.ElementKey)
		}
		require.Zero(t, g.load(t, "customers").Records.Len())
		n, err = g.p.ConfirmDeletes(t.Context(), "customers")
		require.NoError(t, err)
		require.Zero(t, n, "nothing held any more")
		res, evs, sts := g.cycle(t)
		require.Empty(t, evs)
		require.Empty(t, sts)
		require.Zero(t, res.Held)
	})
	t.Run("drop", func(t *testing.T) {
		t.Parallel()
		g := newGuardRig(t, 30, nil)
		g.remove(1, 30)
		g.cycle(t)
		n, err := g.p.DropDeletes(t.Context(), "customers")
		require.NoError(t, err)
		require.Equal(t, 30, n)
		require.Empty(t, g.sink.Take())
		st := g.load(t, "customers")
		require.Equal(t, 30, st.Records.Len(), "the records stay remembered")
		require.Empty(t, st.Missing)
		// Still missing: counted again from zero, and held again.
		res, evs, sts := g.cycle(t)
		require.Empty(t, evs)
		require.Equal(t, 30, res.Held)
		require.Len(t, sts, 1)
		require.Equal(t, []int{30, 30}, g.hooks())
	})
	t.Run("unknown resource", func(t *testing.T) {
		t.Parallel()
		g := newGuardRig(t, 1, nil)
		_, err := g.p.ConfirmDeletes(t.Context(), "orders")
		require.ErrorIs(t, err, poller.ErrConfig)
		_, err = g.p.DropDeletes(t.Context(), "orders")
		require.ErrorIs(t, err, poller.ErrConfig)
	})
}

// NoStatusNotifications silences the statuses, not the hook.
func TestDeleteGuardNoStatusNotifications(t *testing.T) {
	t.Parallel()
	g := newGuardRig(t, 30, func(c *poller.Config) { c.NoStatusNotifications = true })
	g.remove(1, 30)
	res, evs, sts := g.cycle(t)
	require.Equal(t, 30, res.Held)
	require.Empty(t, evs)
	require.Empty(t, sts)
	require.Equal(t, []int{30}, g.hooks())
	g.restore(1, 30)
	_, _, sts = g.cycle(t)
	require.Empty(t, sts)
}

func TestDeleteGuardConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mod  func(*poller.Config)
		key  string
	}{
		{name: "share below 0", mod: func(c *poller.Config) { c.DeleteGuardShare = -0.1 }, key: "DeleteGuardShare"},
		{name: "share above 1", mod: func(c *poller.Config) { c.DeleteGuardShare = 1.5 }, key: "DeleteGuardShare"},
		{name: "negative count", mod: func(c *poller.Config) { c.DeleteGuardCount = -1 }, key: "DeleteGuardCount"},
		{name: "negative snapshots", mod: func(c *poller.Config) { c.DeleteGuardSnapshots = -1 }, key: "DeleteGuardSnapshots"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := poller.Config{Instance: instance(t, customersResource), Sink: &sink{}}
			tt.mod(&cfg)
			_, err := poller.New(cfg)
			require.ErrorIs(t, err, poller.ErrConfig)
			require.ErrorContains(t, err, tt.key)
		})
	}
}

// On a resource whose URL filters by date, snapshots are every
// SnapshotEvery-th cycle; while deletes are held, every cycle is one, so
// that the hold is settled DeleteGuardSnapshots cycles later, not
// SnapshotEvery cycles later.
func TestDeleteGuardSnapshotsEveryCycleWhileHeld(t *testing.T) {
	t.Parallel()
	r := newE2EWooRig(t, e2eWooOrdersPaged, func(c *poller.Config) { c.Logger = e2eDiscard })
	for id := 1; id <= 30; id++ {
		r.putOrder(id, "processing", e2eT0.Add(-48*time.Hour), e2eT0.Add(-24*time.Hour))
	}
	var snapshots []bool
	var deleted []string
	for cycle := 1; cycle <= 6; cycle++ {
		if cycle == 4 { // the next is the 4th, a snapshot
			for id := 1; id <= 30; id++ {
				r.deleteOrder(id)
			}
		}
		c := r.poll(t)
		require.NoError(t, c.res.Err)
		snapshots = append(snapshots, c.res.Snapshot)
		if cycle == 4 {
			require.Equal(t, 30, c.res.Held)
		}
		deleted = append(deleted, e2eSummary(c.batches)...)
		if cycle < 6 {
			require.Empty(t, deleted, "cycle %d", cycle)
		}
	}
	// The baseline is not counted as a snapshot (nothing to delete from).
	require.Equal(t, []bool{false, false, false, true, true, true}, snapshots)
	require.Equal(t, e2eWant(events.Deleted, e2eIDs(1, 30)...), sortedIDs(deleted))
}
