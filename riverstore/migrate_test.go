package riverstore_test

import (
	"context"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/riverstore"
)

func TestMigrations(t *testing.T) {
	t.Parallel()
	ms := riverstore.Migrations()
	require.NotEmpty(t, ms)
	for i, m := range ms {
		require.Equal(t, i+1, m.Version, "versions run 1, 2, ... without gaps")
		require.NotEmpty(t, m.Name)
		require.NotEmpty(t, m.SQL)
	}
}

// freshSchema creates an empty schema, dropped at the end of the test.
func freshSchema(t *testing.T) (*pgxTestDB, string) {
	t.Helper()
	admin := connect(t, "", 8)
	schema := "ee_test_m" + randomHex(5)
	_, err := admin.Exec(context.Background(), "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	return &pgxTestDB{admin}, schema
}

func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	t.Parallel()
	db, schema := freshSchema(t)
	ctx := t.Context()
	// Three replicas starting together: one migrates, the others find it
	// done.
	results := make([]*riverstore.MigrateResult, 3)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range results {
		wg.Go(func() {
			results[i], errs[i] = riverstore.Migrate(ctx, db.pool, riverstore.MigrateConfig{Schema: schema, Logger: quiet})
		})
	}
	wg.Wait()
	applied := 0
	for i := range results {
		require.NoError(t, errs[i])
		if len(results[i].Store) > 0 {
			applied++
			require.Len(t, results[i].Store, len(riverstore.Migrations()))
			require.NotEmpty(t, results[i].River)
		}
	}
	require.Equal(t, 1, applied, "exactly one Migrate applied the migrations")

	res, err := riverstore.Migrate(ctx, db.pool, riverstore.MigrateConfig{Schema: schema, Logger: quiet})
	require.NoError(t, err)
	require.Empty(t, res.River)
	require.Empty(t, res.Store)

	var versions []int32
	rows, err := db.pool.Query(ctx, "SELECT version FROM "+schema+".elementevents_migration ORDER BY version")
	require.NoError(t, err)
	versions, err = pgx.CollectRows(rows, pgx.RowTo[int32])
	require.NoError(t, err)
	require.Len(t, versions, len(riverstore.Migrations()))
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	db, schema := freshSchema(t)
	ctx := t.Context()
	_, err := riverstore.Migrate(ctx, db.pool, riverstore.MigrateConfig{Schema: schema, Logger: quiet})
	require.NoError(t, err)
	_, err = db.pool.Exec(ctx, "INSERT INTO "+schema+".elementevents_migration (version, name) VALUES (999, 'from the future')")
	require.NoError(t, err)
	_, err = riverstore.Migrate(ctx, db.pool, riverstore.MigrateConfig{Schema: schema, Logger: quiet})
	require.ErrorIs(t, err, riverstore.ErrSchemaTooNew)
	require.ErrorContains(t, err, "999")
}

func TestMigrateNeedsAPool(t *testing.T) {
	t.Parallel()
	_, err := riverstore.Migrate(t.Context(), nil, riverstore.MigrateConfig{})
	require.ErrorIs(t, err, riverstore.ErrConfig)
}
