package riverstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/riverstore"
)

// defaultDatabaseURL is the project machines' server: trust auth, database
// test. DATABASE_URL overrides it.
const defaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

func databaseURL() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return defaultDatabaseURL
}

// connect returns a pool on the test database, with search_path set to
// schema when it is not empty, closed at the end of the test. Without a
// server the test is skipped, or fails when ELEMENTEVENTS_REQUIRE_POSTGRES=1.
func connect(t testing.TB, schema string, maxConns int32) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(databaseURL())
	require.NoError(t, err, "DATABASE_URL")
	if schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = schema
	}
	// The tests need no durability across a server crash; without a WAL
	// flush at every commit they run several times faster on a busy disk.
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	cfg.ConnConfig.ConnectTimeout = 3 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err == nil {
		err = pool.Ping(ctx)
	}
	if err != nil {
		if pool != nil {
			pool.Close()
		}
		if os.Getenv("ELEMENTEVENTS_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL is required (ELEMENTEVENTS_REQUIRE_POSTGRES=1) but %s does not answer: %v", redactedURL(), err)
		}
		t.Skipf("PostgreSQL at %s does not answer (%v): start it with scripts/postgres-up; set ELEMENTEVENTS_REQUIRE_POSTGRES=1 to fail instead of skipping", redactedURL(), err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func redactedURL() string {
	cfg, err := pgx.ParseConfig(databaseURL())
	if err != nil {
		return "(unparseable DATABASE_URL)"
	}
	return cfg.Host + "/" + cfg.Database
}

// newSchema creates a schema of its own for the test, migrated, and drops
// it at the end. The pool of admin runs the DDL.
func newSchema(t testing.TB, admin *pgxpool.Pool) string {
	t.Helper()
	schema := "ee_test_" + randomHex(6)
	ctx := context.Background()
	_, err := admin.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize())
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := admin.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	_, err = riverstore.Migrate(ctx, admin, riverstore.MigrateConfig{Schema: schema, Logger: quiet})
	require.NoError(t, err)
	return schema
}

// setup returns a pool whose search_path is a fresh, migrated schema.
func setup(t testing.TB, maxConns int32) (*pgxpool.Pool, string) {
	t.Helper()
	admin := connect(t, "", 4)
	schema := newSchema(t, admin)
	return connect(t, schema, maxConns), schema
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// pgxTestDB is an admin pool on the test database.
type pgxTestDB struct{ pool *pgxpool.Pool }
