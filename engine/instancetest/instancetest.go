// Package instancetest is the conformance suite for implementations of
// [engine.InstanceStore]: the in-memory store runs it, and so must the
// durable ones, so that a host can move between them without changing
// what a write or a list means.
//
//	func TestInstanceStore(t *testing.T) {
//		instancetest.Run(t, func(t *testing.T) engine.InstanceStore {
//			return mystore.New(...)
//		})
//	}
//
// Every case uses tenants and ids of its own, so stores that share one
// table may be returned.
package instancetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/internal/suite"
)

// Run runs the conformance suite on the stores newStore returns, one per
// case. Subtests run in parallel, so newStore may be called concurrently.
func Run(t *testing.T, newStore func(t *testing.T) engine.InstanceStore) {
	t.Helper()
	suite.Run(t, groups, func(t *testing.T) *rig {
		return &rig{t: t, s: newStore(t), prefix: t.Name() + "/"}
	})
}

// rig is one case's store, and the prefix of its tenants and ids.
type rig struct {
	t      *testing.T
	s      engine.InstanceStore
	prefix string
}

func (r *rig) tenant(name string) string { return r.prefix + name }
func (r *rig) id(name string) string     { return r.prefix + name }

// t0 has microseconds, the precision every store keeps.
var t0 = time.Date(2026, 12, 7, 12, 0, 0, 123456000, time.UTC)

// record returns version 1 of instance id of tenant.
func (r *rig) record(tenant, id string) engine.Record {
	body := fmt.Sprintf(`{"element":{"key":"woocommercerest"},"name":%q,"configuration":{"oauth.api.secret":"cs_secret value ✓","x-unknown":{"kept":[1,2]}},"tags":["a","b"]}`, id)
	return engine.Record{
		Tenant: r.tenant(tenant), ID: r.id(id), Version: 1, Body: json.RawMessage(body),
		ElementKey: "woocommercerest", VendorType: "polling", Tags: []string{"a", "b"}, Enabled: true,
		Created: t0, Updated: t0,
	}
}

func (r *rig) create(rec engine.Record) {
	r.t.Helper()
	require.NoError(r.t, r.s.Create(r.t.Context(), rec), "Create(%s)", rec.ID)
}

// requireRecord compares records field by field, times as instants.
func requireRecord(t *testing.T, want, got engine.Record) {
	t.Helper()
	require.Equal(t, want.Tenant, got.Tenant, "Tenant")
	require.Equal(t, want.ID, got.ID, "ID")
	require.Equal(t, want.Version, got.Version, "Version")
	require.Equal(t, string(want.Body), string(got.Body), "Body, byte for byte")
	require.Equal(t, want.ElementKey, got.ElementKey, "ElementKey")
	require.Equal(t, want.VendorType, got.VendorType, "VendorType")
	require.Equal(t, want.Tags, got.Tags, "Tags")
	require.Equal(t, want.Enabled, got.Enabled, "Enabled")
	require.True(t, want.Created.Equal(got.Created), "Created: want %s, got %s", want.Created, got.Created)
	require.True(t, want.Updated.Equal(got.Updated), "Updated: want %s, got %s", want.Updated, got.Updated)
}

func ids(recs []engine.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

var groups = []suite.Group[*rig]{
	{Name: "Create", Cases: []suite.Case[*rig]{
		{Name: "GetReturnsWhatWasWritten", Test: func(t *testing.T, r *rig) {
			rec := r.record("t", "1")
			r.create(rec)
			got, err := r.s.Get(t.Context(), rec.Tenant, rec.ID)
			require.NoError(t, err)
			requireRecord(t, rec, got)
		}},
		{Name: "IDTakenByAnyTenant", Test: func(t *testing.T, r *rig) {
			r.create(r.record("t", "1"))
			err := r.s.Create(t.Context(), r.record("t", "1"))
			require.ErrorIs(t, err, engine.ErrExists)
			other := r.record("u", "1")
			require.ErrorIs(t, r.s.Create(t.Context(), other), engine.ErrExists, "ids are unique across tenants")
		}},
		{Name: "RefusesBadRecords", Test: func(t *testing.T, r *rig) {
			for name, change := range map[string]func(*engine.Record){
				"no tenant": func(rec *engine.Record) { rec.Tenant = "" },
				"no id":     func(rec *engine.Record) { rec.ID = "" },
				"version 0": func(rec *engine.Record) { rec.Version = 0 },
				"version 2": func(rec *engine.Record) { rec.Version = 2 },
			} {
				rec := r.record("t", name)
				change(&rec)
				require.ErrorIs(t, r.s.Create(t.Context(), rec), engine.ErrInvalid, name)
			}
		}},
		{Name: "KeepsNoReferenceToTheCaller", Test: func(t *testing.T, r *rig) {
			rec := r.record("t", "1")
			want := r.record("t", "1")
			r.create(rec)
			rec.Body[2] = 'X'
			rec.Tags[0] = "changed"
			got, err := r.s.Get(t.Context(), want.Tenant, want.ID)
			require.NoError(t, err)
			requireRecord(t, want, got)
			got.Body[2] = 'Y'
			got.Tags[0] = "changed again"
			again, err := r.s.Get(t.Context(), want.Tenant, want.ID)
			require.NoError(t, err)
			requireRecord(t, want, again)
		}},
	}},
	{Name: "Get", Cases: []suite.Case[*rig]{
		{Name: "UnknownIsNotFound", Test: func(t *testing.T, r *rig) {
			_, err := r.s.Get(t.Context(), r.tenant("t"), r.id("none"))
			require.ErrorIs(t, err, engine.ErrNotFound)
		}},
		{Name: "AnotherTenantsIsNotFound", Test: func(t *testing.T, r *rig) {
			rec := r.record("t", "1")
			r.create(rec)
			_, err := r.s.Get(t.Context(), r.tenant("u"), rec.ID)
			require.ErrorIs(t, err, engine.ErrNotFound)
		}},
	}},
	{Name: "Update", Cases: []suite.Case[*rig]{
		{Name: "NextVersionReplaces", Test: func(t *testing.T, r *rig) {
			rec := r.record("t", "1")
			r.create(rec)
			next := rec
			next.Version, next.Body, next.Enabled, next.Tags = 2, json.RawMessage(`{"name":"renamed"}`), false, nil
			next.Updated = t0.Add(time.Hour)
			next.Created = t0.Add(48 * time.Hour) // ignored: Created is kept
			require.NoError(t, r.s.Update(t.Context(), next))
			got, err := r.s.Get(t.Context(), rec.Tenant, rec.ID)
			require.NoError(t, err)
			next.Created = rec.Created
			requireRecord(t, next, got)
		}},
		{Name: "StaleVersionConflicts", Test: func(t *testing.T, r *rig) {
			rec := r.record("t", "1")
			r.create(rec)
			next := rec
			next.Version = 2
			require.NoError(t, r.s.Update(t.Context(), next))
			stale := rec
			stale.Version, stale.Body = 2, json.RawMessage(`{"name":"lost"}`)
			err := r.s.Update(t.Context(), stale)
			require.ErrorIs(t, err, engine.ErrConflict)
			var ce *engine.ConflictError
			require.True(t, errors.As(err, &ce))
			require.Equal(t, int64(2), ce.Stored)
			require.Equal(t, int64(1), ce.Base)
			got, err := r.s.Get(t.Context(), rec.Tenant, rec.ID)
			require.NoError(t, err)
			requireRecord(t, next, got)
		}},
		{Name: "SkippingAVersionConflicts", Test: func(t *testing.T, r *rig) {
			rec := r.record("t", "1")
			r.create(rec)
			rec.Version = 3
			require.ErrorIs(t, r.s.Update(t.Context(), rec), engine.ErrConflict)
		}},
		{Name: "OneOfConcurrentWritersWins", Test: func(t *testing.T, r *rig) {
			rec := r.record("t", "1")
			r.create(rec)
			const writers = 8
			var wg sync.WaitGroup
			errs := make([]error, writers)
			for i := range writers {
				wg.Go(func() {
					next := rec
					next.Version, next.Body = 2, json.RawMessage(fmt.Sprintf(`{"writer":%d}`, i))
					errs[i] = r.s.Update(t.Context(), next)
				})
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				if err == nil {
					won++
					continue
				}
				require.ErrorIs(t, err, engine.ErrConflict)
			}
			require.Equal(t, 1, won, "no lost update: exactly one writer of version 2")
		}},
		{Name: "UnknownOrAnotherTenantsIsNotFound", Test: func(t *testing.T, r *rig) {
			rec := r.record("t", "1")
			r.create(rec)
			next := rec
			next.Version, next.Tenant = 2, r.tenant("u")
			require.ErrorIs(t, r.s.Update(t.Context(), next), engine.ErrNotFound)
			next = r.record("t", "none")
			next.Version = 2
			require.ErrorIs(t, r.s.Update(t.Context(), next), engine.ErrNotFound)
		}},
	}},
	{Name: "Delete", Cases: []suite.Case[*rig]{
		{Name: "RemovesAtItsVersion", Test: func(t *testing.T, r *rig) {
			rec := r.record("t", "1")
			r.create(rec)
			require.ErrorIs(t, r.s.Delete(t.Context(), rec.Tenant, rec.ID, 2), engine.ErrConflict)
			require.ErrorIs(t, r.s.Delete(t.Context(), r.tenant("u"), rec.ID, 1), engine.ErrNotFound)
			require.NoError(t, r.s.Delete(t.Context(), rec.Tenant, rec.ID, 1))
			_, err := r.s.Get(t.Context(), rec.Tenant, rec.ID)
			require.ErrorIs(t, err, engine.ErrNotFound)
			require.ErrorIs(t, r.s.Delete(t.Context(), rec.Tenant, rec.ID, 1), engine.ErrNotFound)
			r.create(rec) // the id is free again
		}},
	}},
	{Name: "List", Cases: []suite.Case[*rig]{
		{Name: "PagesCoverEveryInstanceOnceInIDOrder", Test: func(t *testing.T, r *rig) {
			var want []string
			for i := range 23 {
				rec := r.record("t", fmt.Sprintf("%03d", (i*7)%23)) // created out of order
				r.create(rec)
				want = append(want, rec.ID)
			}
			r.create(r.record("u", "other-tenant"))
			slices.Sort(want)
			var got []string
			after := ""
			for pages := 0; ; pages++ {
				require.Less(t, pages, 10)
				page, err := r.s.List(t.Context(), engine.Filter{Tenant: r.tenant("t"), After: after, Limit: 5})
				require.NoError(t, err)
				require.LessOrEqual(t, len(page), 5)
				got = append(got, ids(page)...)
				if len(page) < 5 {
					break
				}
				after = page[len(page)-1].ID
			}
			require.Equal(t, want, got)
		}},
		{Name: "Filters", Test: func(t *testing.T, r *rig) {
			a := r.record("t", "a")
			b := r.record("t", "b")
			b.ElementKey, b.VendorType, b.Tags, b.Enabled = "concur", "polling", []string{"c"}, false
			c := r.record("t", "c")
			c.VendorType, c.Tags = "webhook", nil
			for _, rec := range []engine.Record{a, b, c} {
				r.create(rec)
			}
			no := false
			for name, tt := range map[string]struct {
				f    engine.Filter
				want []string
			}{
				"all":      {engine.Filter{}, []string{a.ID, b.ID, c.ID}},
				"element":  {engine.Filter{ElementKey: "concur"}, []string{b.ID}},
				"vendor":   {engine.Filter{VendorType: "webhook"}, []string{c.ID}},
				"tag":      {engine.Filter{Tag: "a"}, []string{a.ID}},
				"disabled": {engine.Filter{Enabled: &no}, []string{b.ID}},
				"nothing":  {engine.Filter{ElementKey: "generic"}, []string{}},
			} {
				tt.f.Tenant = r.tenant("t")
				page, err := r.s.List(t.Context(), tt.f)
				require.NoError(t, err, name)
				require.Equal(t, tt.want, ids(page), name) // ids of no record is empty, not nil
			}
		}},
		{Name: "AllTenants", Test: func(t *testing.T, r *rig) {
			want := []string{r.id("1"), r.id("2"), r.id("3")}
			r.create(r.record("t", "1"))
			r.create(r.record("u", "2"))
			r.create(r.record("v", "3"))
			// Other cases' instances may share the store: walk from this
			// case's prefix and stop past it.
			var got []string
			after := r.prefix
			for pages := 0; ; pages++ {
				require.Less(t, pages, 10)
				page, err := r.s.List(t.Context(), engine.Filter{AllTenants: true, After: after, Limit: 2})
				require.NoError(t, err)
				for _, rec := range page {
					if strings.HasPrefix(rec.ID, r.prefix) {
						got = append(got, rec.ID)
					}
				}
				if len(page) < 2 || !strings.HasPrefix(page[len(page)-1].ID, r.prefix) {
					break
				}
				after = page[len(page)-1].ID
			}
			require.Equal(t, want, got)
			_, err := r.s.List(t.Context(), engine.Filter{AllTenants: true, Tenant: r.tenant("t")})
			require.ErrorIs(t, err, engine.ErrInvalid, "a tenant and AllTenants")
		}},
		{Name: "ReturnsFullRecords", Test: func(t *testing.T, r *rig) {
			rec := r.record("t", "1")
			r.create(rec)
			page, err := r.s.List(t.Context(), engine.Filter{Tenant: rec.Tenant})
			require.NoError(t, err)
			require.Len(t, page, 1)
			requireRecord(t, rec, page[0])
		}},
		{Name: "Limits", Test: func(t *testing.T, r *rig) {
			for i := range engine.DefaultListLimit + 1 {
				r.create(r.record("t", fmt.Sprintf("%04d", i)))
			}
			page, err := r.s.List(t.Context(), engine.Filter{Tenant: r.tenant("t")})
			require.NoError(t, err)
			require.Len(t, page, engine.DefaultListLimit, "zero limit is the default")
			_, err = r.s.List(t.Context(), engine.Filter{Tenant: r.tenant("t"), Limit: -1})
			require.ErrorIs(t, err, engine.ErrInvalid)
			_, err = r.s.List(t.Context(), engine.Filter{Limit: 1})
			require.ErrorIs(t, err, engine.ErrInvalid, "no tenant")
		}},
	}},
}
