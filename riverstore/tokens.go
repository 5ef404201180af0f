package riverstore

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/a12b7632/elementevents/vendorauth"
)

// tokenStore is the [vendorauth.TokenStore] of NewTokenStore.
//
// Update is one transaction: a transaction-scoped advisory lock on a hash
// of the key, the read, fn, the upsert, the commit. The lock is
// PostgreSQL's, so it excludes the Updates of every replica, whatever
// pool or process they run in; it ends with the transaction, so a
// replica that dies while fn runs frees it with its connection. A
// collision of two keys' hashes only makes one wait for the other.
type tokenStore struct {
	pool   *pgxpool.Pool
	t      tables
	schema string
}

var _ vendorauth.TokenStore = (*tokenStore)(nil)

// NewTokenStore returns a [vendorauth.TokenStore] in pool's database, in
// the table elementevents_token that [Migrate] created. Replicas that
// share the database share the tokens, and never refresh one at the same
// time: Update holds a PostgreSQL advisory lock on its key, and a
// pool connection, while its fn calls the vendor (keep
// idle_in_transaction_session_timeout, if set, above the vendor's token
// timeout). A rotated refresh token is committed before Update returns
// it. Keys and tokens may be any bytes.
func NewTokenStore(pool *pgxpool.Pool, cfg StoreConfig) (vendorauth.TokenStore, error) {
	if pool == nil {
		return nil, fmt.Errorf("%w: NewTokenStore needs a pool", ErrConfig)
	}
	return &tokenStore{pool: pool, t: newTables(cfg.Schema), schema: cfg.Schema}, nil
}

// lockID is key's advisory lock. The schema is part of it: stores in
// different schemas have different tables, and need not wait for each
// other.
func (s *tokenStore) lockID(key string) int64 {
	h := fnv.New64a()
	h.Write([]byte("elementevents/riverstore/token\x00" + s.schema + "\x00" + key))
	return int64(h.Sum64())
}

// rowQuerier is a pool or a transaction.
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// get reads key's token; found is false when there is none.
func (s *tokenStore) get(ctx context.Context, q rowQuerier, key string) (tok vendorauth.Token, found bool, err error) {
	var (
		access, refresh, typ, seed []byte
		exp                        *time.Time
	)
	err = q.QueryRow(ctx, "SELECT access_token, refresh_token, token_type, seed, expiry FROM "+s.t.token+" WHERE key = $1",
		[]byte(key)).Scan(&access, &refresh, &typ, &seed, &exp)
	if errNoRows(err) {
		return vendorauth.Token{}, false, nil
	}
	if err != nil {
		return vendorauth.Token{}, false, err
	}
	tok = vendorauth.Token{
		AccessToken:  vendorauth.Secret(access),
		RefreshToken: vendorauth.Secret(refresh),
		TokenType:    string(typ),
		Seed:         string(seed),
	}
	if exp != nil {
		tok.Expiry = exp.UTC()
	}
	return tok, true, nil
}

// Load implements [vendorauth.TokenStore.Load].
func (s *tokenStore) Load(ctx context.Context, key string) (vendorauth.Token, error) {
	tok, found, err := s.get(ctx, s.pool, key)
	switch {
	case err != nil:
		return vendorauth.Token{}, fmt.Errorf("riverstore: load token %q: %w", key, ctxErr(ctx, err))
	case !found:
		return vendorauth.Token{}, fmt.Errorf("riverstore: load token %q: %w", key, vendorauth.ErrNoToken)
	}
	return tok, nil
}

// begin starts a transaction holding key's lock. A ctx that ends while
// it waits ends the wait: pgx gives up on the connection, and the
// transaction goes with it.
func (s *tokenStore) begin(ctx context.Context, key string) (pgx.Tx, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("riverstore: lock token %q: %w", key, err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("riverstore: lock token %q: %w", key, ctxErr(ctx, err))
	}
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", s.lockID(key)); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("riverstore: lock token %q: %w", key, ctxErr(ctx, err))
	}
	return tx, nil
}

// Update implements [vendorauth.TokenStore.Update] in one transaction;
// see tokenStore.
func (s *tokenStore) Update(ctx context.Context, key string, fn func(vendorauth.Token, bool) (vendorauth.Token, error)) (vendorauth.Token, error) {
	tx, err := s.begin(ctx, key)
	if err != nil {
		return vendorauth.Token{}, err
	}
	// After a commit, Rollback does nothing.
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	cur, found, err := s.get(ctx, tx, key)
	if err != nil {
		return vendorauth.Token{}, fmt.Errorf("riverstore: read token %q: %w", key, ctxErr(ctx, err))
	}
	next, err := fn(cur, found)
	if err != nil {
		return vendorauth.Token{}, err
	}
	// Once fn succeeded the vendor may have rotated the refresh token:
	// write it even if ctx ended meanwhile.
	wctx := context.WithoutCancel(ctx)
	var exp *time.Time
	if !next.Expiry.IsZero() {
		exp = &next.Expiry
	}
	_, err = tx.Exec(wctx, "INSERT INTO "+s.t.token+` AS t (key, access_token, refresh_token, token_type, seed, expiry)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (key) DO UPDATE SET access_token = EXCLUDED.access_token, refresh_token = EXCLUDED.refresh_token,
			token_type = EXCLUDED.token_type, seed = EXCLUDED.seed, expiry = EXCLUDED.expiry, updated_at = now()`,
		[]byte(key), []byte(next.AccessToken), []byte(next.RefreshToken), []byte(next.TokenType), []byte(next.Seed), exp)
	if err == nil {
		err = tx.Commit(wctx)
	}
	if err != nil {
		return next, fmt.Errorf("riverstore: store token %q: %w", key, err)
	}
	return next, nil
}

// Delete implements [vendorauth.TokenStore.Delete]. It takes key's lock,
// so that it never lands between the read and the write of an Update.
func (s *tokenStore) Delete(ctx context.Context, key string) error {
	tx, err := s.begin(ctx, key)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, "DELETE FROM "+s.t.token+" WHERE key = $1", []byte(key)); err != nil {
		return fmt.Errorf("riverstore: delete token %q: %w", key, ctxErr(ctx, err))
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("riverstore: delete token %q: %w", key, ctxErr(ctx, err))
	}
	return nil
}

// ctxErr makes an error that ctx caused match ctx.Err() with errors.Is,
// whatever pgx wrapped it in.
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%w (%w)", cerr, err)
	}
	return err
}
