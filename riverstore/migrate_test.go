package riverstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/notify"
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

// TestMigrationMovesParkedJobsToTheWait: the delivery jobs an earlier
// version parked in River (scheduled at 9999-01-01 behind their key's
// head) wait in elementevents_delivery_wait after migration 7, and are
// delivered after the head, in their order, byte for byte.
func TestMigrationMovesParkedJobsToTheWait(t *testing.T) {
	t.Parallel()
	db, schema := freshSchema(t)
	ctx := t.Context()
	migrator, err := rivermigrate.New(riverpgxv5.New(db.pool), &rivermigrate.Config{Schema: schema, Logger: quiet})
	require.NoError(t, err)
	_, err = migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	require.NoError(t, err)
	require.NoError(t, riverstore.MigrateStoreUpTo(ctx, db.pool, schema, 6))

	pool := connect(t, schema, 12)
	rc, got := orderedReceiver(t, nil)
	ep := rc.srv.URL + "/events"
	b := batch("inst-1", "customers", ep, 0, 3)
	ids := singleIDs(b)
	keyID := sha256.Sum256(testKey)
	_, err = pool.Exec(ctx, "INSERT INTO elementevents_signing_key (id, key) VALUES ($1, $2)", keyID[:], testKey)
	require.NoError(t, err)
	// As version 6 published them: the head due and marked, the others
	// parked, each with its row of the order.
	for i, note := range events.Notifications(b, 1) {
		body, err := json.Marshal(note)
		require.NoError(t, err)
		args, err := json.Marshal(map[string]any{"id": ids[i], "endpoint": ep, "key_id": keyID[:], "body": body, "events": 1,
			"order": []byte("0123456789abcdef")})
		require.NoError(t, err)
		meta, at := `{"elementevents_turn": true}`, time.Now()
		if i > 0 {
			meta, at = `{}`, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		var job int64
		require.NoError(t, pool.QueryRow(ctx, `INSERT INTO river_job (kind, args, metadata, queue, state, scheduled_at, max_attempts)
			VALUES ('elementevents_deliver', $1, $2, 'elementevents_deliver', $3, $4, 3) RETURNING id`,
			args, meta, map[bool]string{true: "available", false: "scheduled"}[i == 0], at).Scan(&job))
		_, err = pool.Exec(ctx, "INSERT INTO elementevents_delivery_order (endpoint, order_key, job_id) VALUES ($1, $2, $3)", ep, []byte("0123456789abcdef"), job)
		require.NoError(t, err)
	}

	res, err := riverstore.Migrate(ctx, db.pool, riverstore.MigrateConfig{Schema: schema, Logger: quiet})
	require.NoError(t, err)
	require.Contains(t, res.Store, 7)
	var parked, waiting int
	require.NoError(t, pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM river_job WHERE state = 'scheduled'), (SELECT count(*) FROM elementevents_delivery_wait)").Scan(&parked, &waiting))
	require.Zero(t, parked, "no job parked in River")
	require.Equal(t, 2, waiting)

	startReplica(t, pool, riverstore.Config{Policy: notify.DeliveryPolicy{Schedule: testSchedule, Jitter: -1, PollingBatchSize: 1}})
	eventually(t, 10*time.Second, func() bool { return len(got()) >= 3 }, "all delivered")
	require.Equal(t, ids, got(), "in order, each once, verified by the receiver")
}
