package riverstore

import (
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/*.up.sql
var migrationFiles embed.FS

// Migration is one step of the store's own schema, applied after River's.
type Migration struct {
	// Version numbers the steps from 1, in the order they apply.
	Version int
	// Name says what the step does.
	Name string
	// SQL is the step, run in the migration's transaction.
	SQL string
}

// Migrations returns the store's migrations, oldest first. The tables they
// create are named elementevents_*; applied versions are recorded in
// elementevents_migration.
func Migrations() []Migration {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		panic(fmt.Sprintf("riverstore: embedded migrations: %v", err)) // a build defect, not input
	}
	var ms []Migration
	for _, e := range entries {
		base := strings.TrimSuffix(e.Name(), ".up.sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			panic(fmt.Sprintf("riverstore: embedded migration %q is not named NNN_name.up.sql", e.Name()))
		}
		sql, _ := migrationFiles.ReadFile("migrations/" + e.Name())
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(sql)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return cmp.Compare(a.Version, b.Version) })
	return ms
}

// MigrateConfig configures [Migrate].
type MigrateConfig struct {
	// Schema holds River's tables and the store's. Default: the first
	// schema of the connection's search_path.
	Schema string

	// Logger receives River's migration logs. Default: slog.Default().
	Logger *slog.Logger
}

// MigrateResult lists the versions a [Migrate] applied; both empty when
// the database was up to date.
type MigrateResult struct {
	River []int
	Store []int
}

// Migrate brings River's tables (through River's own migrator) and the
// store's tables up to date, in one transaction, under an advisory lock
// per schema: replicas that start together migrate once, and a failed
// step leaves the database as it was. A database whose store schema is
// newer than this code is refused with an error wrapping [ErrSchemaTooNew].
func Migrate(ctx context.Context, pool *pgxpool.Pool, cfg MigrateConfig) (*MigrateResult, error) {
	if pool == nil {
		return nil, fmt.Errorf("%w: Migrate needs a pool", ErrConfig)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Schema: cfg.Schema, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("riverstore: River migrator: %w", err)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("riverstore: migrate: %w", err)
	}
	defer conn.Release()
	// A session lock, held across River's steps (each its own transaction:
	// PostgreSQL refuses some of them in one) and the store's.
	h := fnv.New64a()
	h.Write([]byte("elementevents/riverstore/migrate\x00" + cfg.Schema))
	lock := int64(h.Sum64())
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lock); err != nil {
		return nil, fmt.Errorf("riverstore: migration lock: %w", err)
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lock); err != nil {
			// The lock must not outlive us: drop the session that holds it.
			_ = conn.Hijack().Close(context.WithoutCancel(ctx))
		}
	}()

	res := &MigrateResult{}
	existing, err := riverVersions(ctx, conn.Conn(), migrator)
	if err != nil {
		return nil, err
	}
	for _, m := range migrator.AllVersions() {
		if existing[m.Version] {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			_, err := migrator.MigrateTx(ctx, tx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{TargetVersion: m.Version})
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("riverstore: River migration %d: %w", m.Version, err)
		}
		res.River = append(res.River, m.Version)
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if cfg.Schema != "" {
			if _, err := tx.Exec(ctx, "SELECT set_config('search_path', $1, true)", pgx.Identifier{cfg.Schema}.Sanitize()); err != nil {
				return fmt.Errorf("riverstore: set search_path to %q: %w", cfg.Schema, err)
			}
		}
		res.Store, err = migrateStore(ctx, tx, Migrations())
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// riverVersions returns the River migrations already applied.
func riverVersions(ctx context.Context, conn *pgx.Conn, migrator *rivermigrate.Migrator[pgx.Tx]) (map[int]bool, error) {
	done := map[int]bool{}
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		ms, err := migrator.ExistingVersionsTx(ctx, tx)
		for _, m := range ms {
			done[m.Version] = true
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("riverstore: River migration versions: %w", err)
	}
	return done, nil
}

// migrateStore applies the store's migrations not yet recorded.
func migrateStore(ctx context.Context, tx pgx.Tx, ms []Migration) ([]int, error) {
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS elementevents_migration (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return nil, fmt.Errorf("riverstore: create elementevents_migration: %w", err)
	}
	rows, err := tx.Query(ctx, "SELECT version FROM elementevents_migration")
	if err != nil {
		return nil, fmt.Errorf("riverstore: read elementevents_migration: %w", err)
	}
	applied, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return nil, fmt.Errorf("riverstore: read elementevents_migration: %w", err)
	}
	known := ms[len(ms)-1].Version
	if newest := slices.Max(append(applied, 0)); int(newest) > known {
		return nil, fmt.Errorf("%w: the database is at version %d, this code knows up to %d; upgrade the code", ErrSchemaTooNew, newest, known)
	}
	var done []int
	for _, m := range ms {
		if slices.Contains(applied, int32(m.Version)) {
			continue
		}
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return nil, fmt.Errorf("riverstore: migration %d (%s): %w", m.Version, m.Name, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO elementevents_migration (version, name) VALUES ($1, $2)", m.Version, m.Name); err != nil {
			return nil, fmt.Errorf("riverstore: record migration %d: %w", m.Version, err)
		}
		done = append(done, m.Version)
	}
	return done, nil
}

// errNoRows tells a missing row from a failure.
func errNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
