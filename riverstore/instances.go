package riverstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/a12b7632/elementevents/engine"
)

// instanceStore is the [engine.InstanceStore] of NewInstanceStore.
//
// Create is one INSERT, List one SELECT. Update and Delete are one
// transaction each: the row is read FOR UPDATE, its tenant and version
// checked, and written, so of two writers of one version the second
// waits for the first and then sees the version it moved to.
type instanceStore struct {
	pool *pgxpool.Pool
	t    tables
}

var _ engine.InstanceStore = (*instanceStore)(nil)

// NewInstanceStore returns an [engine.InstanceStore] in pool's database,
// in the table elementevents_instance that [Migrate] created. Replicas
// that share the database share the instances. Bodies are kept byte for
// byte, secrets included (guard the database as the credentials), and
// never appear in errors; times are kept to the microsecond. Ids,
// tenants, tags and the other indexed fields are PostgreSQL text: one
// with a NUL byte or invalid UTF-8 is [engine.ErrInvalid].
func NewInstanceStore(pool *pgxpool.Pool, cfg StoreConfig) (engine.InstanceStore, error) {
	if pool == nil {
		return nil, fmt.Errorf("%w: NewInstanceStore needs a pool", ErrConfig)
	}
	return &instanceStore{pool: pool, t: newTables(cfg.Schema)}, nil
}

const instanceColumns = "tenant, id, version, body, element_key, vendor_type, tags, enabled, created_at, updated_at"

// Create implements [engine.InstanceStore.Create].
func (s *instanceStore) Create(ctx context.Context, r engine.Record) error {
	if err := checkInstance(r); err != nil {
		return fmt.Errorf("riverstore: create instance %q: %w", r.ID, err)
	}
	if r.Version != 1 {
		return fmt.Errorf("riverstore: create instance %q: %w: Record.Version is %d, want 1", r.ID, engine.ErrInvalid, r.Version)
	}
	tag, err := s.pool.Exec(ctx, "INSERT INTO "+s.t.instance+" ("+instanceColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
		r.Tenant, r.ID, r.Version, []byte(r.Body), r.ElementKey, r.VendorType, r.Tags, r.Enabled, r.Created, r.Updated)
	switch {
	case err != nil:
		return fmt.Errorf("riverstore: create instance %q: %w", r.ID, ctxErr(ctx, err))
	case tag.RowsAffected() == 0:
		return fmt.Errorf("riverstore: create instance %q: %w", r.ID, engine.ErrExists)
	}
	return nil
}

// Get implements [engine.InstanceStore.Get].
func (s *instanceStore) Get(ctx context.Context, tenant, id string) (engine.Record, error) {
	if err := checkText("id", id); err != nil {
		return engine.Record{}, fmt.Errorf("riverstore: get instance %q: %w", id, err)
	}
	r, err := scanInstance(s.pool.QueryRow(ctx, "SELECT "+instanceColumns+" FROM "+s.t.instance+" WHERE id = $1", id))
	switch {
	case errNoRows(err), err == nil && r.Tenant != tenant:
		return engine.Record{}, fmt.Errorf("riverstore: get instance %q: %w", id, engine.ErrNotFound)
	case err != nil:
		return engine.Record{}, fmt.Errorf("riverstore: get instance %q: %w", id, ctxErr(ctx, err))
	}
	return r, nil
}

// List implements [engine.InstanceStore.List] in one query that walks
// the tenant's ids from the cursor on the (tenant, id) index, filters
// them, and stops at the limit.
func (s *instanceStore) List(ctx context.Context, f engine.Filter) ([]engine.Record, error) {
	limit, err := checkFilter(f)
	if err != nil {
		return nil, fmt.Errorf("riverstore: list instances: %w", err)
	}
	rows, err := s.pool.Query(ctx, "SELECT "+instanceColumns+" FROM "+s.t.instance+`
		WHERE ($8 OR tenant = $1) AND id > $2
			AND ($3 = '' OR element_key = $3)
			AND ($4 = '' OR vendor_type = $4)
			AND ($5 = '' OR $5 = ANY (tags))
			AND ($6::boolean IS NULL OR enabled = $6)
		ORDER BY id LIMIT $7`,
		f.Tenant, f.After, f.ElementKey, f.VendorType, f.Tag, f.Enabled, limit, f.AllTenants)
	if err != nil {
		return nil, fmt.Errorf("riverstore: list instances of tenant %q: %w", f.Tenant, ctxErr(ctx, err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (engine.Record, error) { return scanInstance(row) })
	if err != nil {
		return nil, fmt.Errorf("riverstore: list instances of tenant %q: %w", f.Tenant, ctxErr(ctx, err))
	}
	return out, nil
}

// Update implements [engine.InstanceStore.Update]; see instanceStore.
func (s *instanceStore) Update(ctx context.Context, r engine.Record) error {
	if err := checkInstance(r); err != nil {
		return fmt.Errorf("riverstore: update instance %q: %w", r.ID, err)
	}
	err := s.locked(ctx, r.Tenant, r.ID, r.Version-1, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE "+s.t.instance+` SET version = $2, body = $3, element_key = $4,
			vendor_type = $5, tags = $6, enabled = $7, updated_at = $8 WHERE id = $1`,
			r.ID, r.Version, []byte(r.Body), r.ElementKey, r.VendorType, r.Tags, r.Enabled, r.Updated)
		return err
	})
	if err != nil {
		return fmt.Errorf("riverstore: update instance %q: %w", r.ID, err)
	}
	return nil
}

// Delete implements [engine.InstanceStore.Delete]; see instanceStore.
func (s *instanceStore) Delete(ctx context.Context, tenant, id string, version int64) error {
	if err := checkText("id", id); err != nil {
		return fmt.Errorf("riverstore: delete instance %q: %w", id, err)
	}
	err := s.locked(ctx, tenant, id, version, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM "+s.t.instance+" WHERE id = $1", id)
		return err
	})
	if err != nil {
		return fmt.Errorf("riverstore: delete instance %q: %w", id, err)
	}
	return nil
}

// locked runs write in a transaction that holds the row of id, provided
// it belongs to tenant and is at version base: otherwise
// [engine.ErrNotFound] or a [*engine.ConflictError], and nothing written.
func (s *instanceStore) locked(ctx context.Context, tenant, id string, base int64, write func(pgx.Tx) error) error {
	var conflict error
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var (
			owner  string
			stored int64
		)
		err := tx.QueryRow(ctx, "SELECT tenant, version FROM "+s.t.instance+" WHERE id = $1 FOR UPDATE", id).Scan(&owner, &stored)
		switch {
		case errNoRows(err), err == nil && owner != tenant:
			conflict = engine.ErrNotFound
			return nil
		case err != nil:
			return err
		case stored != base:
			conflict = &engine.ConflictError{ID: id, Stored: stored, Base: base}
			return nil
		}
		return write(tx)
	})
	if err != nil {
		return ctxErr(ctx, err)
	}
	return conflict
}

// rowScanner is a pgx.Row or a row of pgx.Rows.
type rowScanner interface {
	Scan(dest ...any) error
}

// scanInstance reads the columns of instanceColumns.
func scanInstance(row rowScanner) (engine.Record, error) {
	var (
		r                engine.Record
		body             []byte
		created, updated time.Time
	)
	err := row.Scan(&r.Tenant, &r.ID, &r.Version, &body, &r.ElementKey, &r.VendorType, &r.Tags, &r.Enabled, &created, &updated)
	if err != nil {
		return engine.Record{}, err
	}
	r.Body = json.RawMessage(body)
	r.Created, r.Updated = created.UTC(), updated.UTC()
	return r, nil
}

// checkInstance refuses what the memory store refuses, and the strings
// PostgreSQL text cannot hold.
func checkInstance(r engine.Record) error {
	if err := r.Check(); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{
		{"Record.Tenant", r.Tenant}, {"Record.ID", r.ID},
		{"Record.ElementKey", r.ElementKey}, {"Record.VendorType", r.VendorType},
	} {
		if err := checkText(f.name, f.v); err != nil {
			return err
		}
	}
	for i, tag := range r.Tags {
		if err := checkText(fmt.Sprintf("Record.Tags[%d]", i), tag); err != nil {
			return err
		}
	}
	return nil
}

// checkFilter returns the page size f asks for (engine.Filter.PageSize),
// or [engine.ErrInvalid] for what PostgreSQL text cannot hold.
func checkFilter(f engine.Filter) (int, error) {
	size, err := f.PageSize()
	if err != nil {
		return 0, err
	}
	for _, fld := range []struct{ name, v string }{
		{"Filter.Tenant", f.Tenant}, {"Filter.After", f.After}, {"Filter.ElementKey", f.ElementKey},
		{"Filter.VendorType", f.VendorType}, {"Filter.Tag", f.Tag},
	} {
		if err := checkText(fld.name, fld.v); err != nil {
			return 0, err
		}
	}
	return size, nil
}

// checkText refuses a string PostgreSQL text cannot hold. The value is
// not quoted: an id is no secret, but a field of a caller's bad record
// might be.
func checkText(name, v string) error {
	if strings.IndexByte(v, 0) >= 0 || !utf8.ValidString(v) {
		return fmt.Errorf("%w: %s holds a NUL byte or invalid UTF-8, which PostgreSQL text cannot store", engine.ErrInvalid, name)
	}
	return nil
}
