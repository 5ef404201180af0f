package riverstore_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/engine/instancetest"
	"github.com/a12b7632/elementevents/riverstore"
)

func TestInstanceStore(t *testing.T) {
	t.Parallel()
	// Every case uses tenants and ids of its own, so they share one
	// schema and one pool.
	var (
		once  sync.Once
		store engine.InstanceStore
	)
	instancetest.Run(t, func(*testing.T) engine.InstanceStore {
		once.Do(func() { store = replicaStores(t, riverstore.NewInstanceStore, 10, 1)[0] })
		return store
	})
}

// TestInstanceWritersAcrossReplicas has writers on three replicas, each
// with a pool of its own, update and delete one version of one instance
// at once: the version check is PostgreSQL's, so exactly one wins.
func TestInstanceWritersAcrossReplicas(t *testing.T) {
	t.Parallel()
	stores := replicaStores(t, riverstore.NewInstanceStore, 10, 3)
	ctx := t.Context()
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for round := range 5 {
		rec := engine.Record{Tenant: "t", ID: fmt.Sprintf("inst-%d", round), Version: 1, Body: json.RawMessage(`{}`), Created: t0, Updated: t0}
		require.NoError(t, stores[0].Create(ctx, rec))
		const writers = 4
		errs := make([]error, len(stores)*writers)
		var wg sync.WaitGroup
		for i := range errs {
			s := stores[i%len(stores)]
			wg.Go(func() {
				if i%2 == 0 {
					errs[i] = s.Delete(ctx, rec.Tenant, rec.ID, 1)
					return
				}
				next := rec
				next.Version, next.Body = 2, json.RawMessage(fmt.Sprintf(`{"writer":%d}`, i))
				errs[i] = s.Update(ctx, next)
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case errorIsAny(err, engine.ErrConflict, engine.ErrNotFound): // lost to an update, or to a delete
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		require.Equal(t, 1, won, "round %d: one writer of version 1 wins", round)
	}
}

func errorIsAny(err error, targets ...error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// TestInstanceStoreRow checks what the table holds, and what the store
// refuses.
func TestInstanceStoreRow(t *testing.T) {
	t.Parallel()
	pool, schema := setup(t, 4)
	s, err := riverstore.NewInstanceStore(pool, riverstore.StoreConfig{Schema: schema})
	require.NoError(t, err)
	ctx := t.Context()
	created := time.Date(2026, 12, 7, 13, 0, 0, 123456789, time.UTC)
	// Spacing, key order, escapes and duplicate keys that a JSON (or
	// jsonb) round trip would change.
	body := "{\"z\":1,  \"a\":\"\\u00e9\",\"a\":2,\n\"configuration\":{\"oauth.api.secret\":\"cs_7f3a9c\"}}"
	rec := engine.Record{
		Tenant: "t", ID: "inst-1", Version: 1, Body: json.RawMessage(body),
		ElementKey: "woocommercerest", VendorType: "polling", Tags: []string{}, Enabled: true,
		Created: created, Updated: created,
	}
	require.NoError(t, s.Create(ctx, rec))

	var stored []byte
	var tagsNull bool
	require.NoError(t, pool.QueryRow(ctx, "SELECT body, tags IS NULL FROM elementevents_instance WHERE id = 'inst-1'").Scan(&stored, &tagsNull))
	require.Equal(t, body, string(stored), "the body is stored byte for byte")
	require.False(t, tagsNull, "empty tags are an empty array, not NULL")

	got, err := s.Get(ctx, "t", "inst-1")
	require.NoError(t, err)
	require.Equal(t, body, string(got.Body))
	require.NotNil(t, got.Tags, "empty tags come back empty, not nil")
	require.Empty(t, got.Tags)
	require.True(t, created.Truncate(time.Microsecond).Equal(got.Created), "microseconds kept: %v", got.Created)
	require.Equal(t, time.UTC, got.Created.Location())

	_, err = riverstore.NewInstanceStore((*pgxpool.Pool)(nil), riverstore.StoreConfig{})
	require.ErrorIs(t, err, riverstore.ErrConfig)

	// What PostgreSQL text cannot hold is a clear error, not a driver's.
	for name, change := range map[string]func(*engine.Record){
		"NUL in the id":            func(r *engine.Record) { r.ID = "inst\x00" },
		"invalid UTF-8 in the tag": func(r *engine.Record) { r.Tags = []string{"\xff"} },
		"NUL in the tenant":        func(r *engine.Record) { r.Tenant = "t\x00" },
	} {
		bad := rec
		bad.ID = "inst-bad"
		change(&bad)
		require.ErrorIs(t, s.Create(ctx, bad), engine.ErrInvalid, name)
	}
	_, err = s.List(ctx, engine.Filter{Tenant: "t", After: "\x00"})
	require.ErrorIs(t, err, engine.ErrInvalid)
	_, err = s.Get(ctx, "t", "\xff")
	require.ErrorIs(t, err, engine.ErrInvalid)

	// Errors name the instance and never a secret of its body.
	next := rec
	next.Version = 2
	_, err = pool.Exec(ctx, "DROP TABLE elementevents_instance")
	require.NoError(t, err)
	for name, err := range map[string]error{
		"create": s.Create(ctx, engine.Record{Tenant: "t", ID: "inst-2", Version: 1, Body: json.RawMessage(body)}),
		"update": s.Update(ctx, next),
		"get":    func() error { _, err := s.Get(ctx, "t", "inst-1"); return err }(),
	} {
		require.Error(t, err, name)
		require.ErrorContains(t, err, `instance "inst-`, name)
		require.NotContains(t, fmt.Sprintf("%v %+v", err, err), "cs_7f3a9c", name)
	}
}
