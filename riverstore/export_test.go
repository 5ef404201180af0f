package riverstore

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// MigrateStoreUpTo applies the store's migrations up to version in
// schema, whose River tables are migrated: to test a migration on the
// data of an older version.
func MigrateStoreUpTo(ctx context.Context, pool *pgxpool.Pool, schema string, version int) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT set_config('search_path', $1, true)", pgx.Identifier{schema}.Sanitize()); err != nil {
			return err
		}
		_, err := migrateStore(ctx, tx, Migrations()[:version])
		return err
	})
}
