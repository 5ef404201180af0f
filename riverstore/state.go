package riverstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/poller"
)

// StoreConfig says where the store's tables are and, for the Deduper, what
// time it is.
type StoreConfig struct {
	// Schema holds the tables that [Migrate] created. Default: the
	// connection's search_path.
	Schema string

	// Clock tells the Deduper the time; its expiry times are written from
	// it. NewClaimer's Claimer times its prunes and dates its claims on
	// it. Default: the real clock. The State reads no clock.
	Clock clockwork.Clock
}

// State is a [poller.State] in PostgreSQL: one row per (instance,
// resource) with the watermark, the cycle count and the Missing counts,
// and one row per remembered record (id, updated date, hash). Replicas
// that share the database share the state.
//
// Load reads in one statement, so in one snapshot: it sees every Commit
// whole or not at all; Commit is one transaction that locks the key's row
// first, so concurrent Commits of one key apply one after the other and
// never interleave. A State is safe for concurrent use.
type State struct {
	pool *pgxpool.Pool
	t    tables
}

var _ poller.State = (*State)(nil)

// NewState returns the State in pool's database, whose tables [Migrate]
// created.
func NewState(pool *pgxpool.Pool, cfg StoreConfig) (*State, error) {
	if pool == nil {
		return nil, fmt.Errorf("%w: NewState needs a pool", ErrConfig)
	}
	return &State{pool: pool, t: newTables(cfg.Schema)}, nil
}

// Load implements [poller.State.Load].
func (s *State) Load(ctx context.Context, key poller.StateKey) (*poller.ResourceState, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	return s.load(ctx, s.pool, key)
}

// querier is a pool, a connection or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// load reads the key's row and its records in one statement, so in one
// snapshot: the first column tells the header row (0) from record rows.
func (s *State) load(ctx context.Context, q querier, key poller.StateKey) (*poller.ResourceState, error) {
	st := &poller.ResourceState{Missing: map[string]int{}}
	rows, err := q.Query(ctx, `SELECT 0, r.watermark_sec, r.watermark_nsec::bigint, r.cycles, r.missing
		FROM `+s.t.resource+` r WHERE r.instance = $1 AND r.resource = $2
		UNION ALL
		SELECT 1, c.updated, c.hash, NULL, c.id
		FROM `+s.t.resource+` r JOIN `+s.t.record+` c ON c.rid = r.rid WHERE r.instance = $1 AND r.resource = $2`,
		key.Instance, key.Resource)
	if err != nil {
		return nil, fmt.Errorf("riverstore: load poller state of %s: %w", keyString(key), err)
	}
	var (
		kind   int32
		a, b   *int64
		cycles *int64
		blob   []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&kind, &a, &b, &cycles, &blob}, func() error {
		if kind == 1 {
			st.Records.Set(string(blob), poller.Record{Updated: *a, Hash: uint64(*b)})
			return nil
		}
		if a != nil && b != nil {
			st.Watermark = time.Unix(*a, *b).UTC()
		}
		st.Cycles = *cycles
		var err error
		st.Missing, err = decodeMissing(blob)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("riverstore: load poller state of %s: %w", keyString(key), err)
	}
	return st, nil
}

// Commit implements [poller.State.Commit]: one transaction, so after an
// error nothing of c is applied.
func (s *State) Commit(ctx context.Context, key poller.StateKey, c poller.Change) error {
	if err := checkKey(key); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return s.commitTx(ctx, tx, key, c) })
	if err != nil {
		return fmt.Errorf("riverstore: commit poller state of %s: %w", keyString(key), err)
	}
	return nil
}

// commitTx applies c inside tx, as [poller.Change.Apply] does: watermark,
// cycles and (when not nil) Missing replaced, upserts, then deletes.
func (s *State) commitTx(ctx context.Context, tx pgx.Tx, key poller.StateKey, c poller.Change) error {
	var sec *int64
	var nsec *int32
	if !c.Watermark.IsZero() {
		sv, nv := c.Watermark.Unix(), int32(c.Watermark.Nanosecond())
		sec, nsec = &sv, &nv
	}
	var rid int64
	// The upsert takes the key's row lock, which orders concurrent commits
	// of one key.
	err := tx.QueryRow(ctx, "INSERT INTO "+s.t.resource+` AS r (instance, resource, watermark_sec, watermark_nsec, cycles, missing)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (instance, resource) DO UPDATE SET
			watermark_sec = EXCLUDED.watermark_sec, watermark_nsec = EXCLUDED.watermark_nsec,
			cycles = EXCLUDED.cycles, missing = COALESCE(EXCLUDED.missing, r.missing)
		RETURNING rid`,
		key.Instance, key.Resource, sec, nsec, c.Cycles, encodeMissing(c.Missing)).Scan(&rid)
	if err != nil {
		return err
	}
	if len(c.Upsert) > 0 {
		// In index order: the B-tree is then filled page by page rather
		// than at random, which makes large upserts several times faster.
		keys := slices.Sorted(maps.Keys(c.Upsert))
		ids := make([][]byte, len(keys))
		updated := make([]int64, len(keys))
		hashes := make([]int64, len(keys))
		for i, id := range keys {
			r := c.Upsert[id]
			ids[i], updated[i], hashes[i] = []byte(id), r.Updated, int64(r.Hash)
		}
		_, err := tx.Exec(ctx, "INSERT INTO "+s.t.record+` (rid, id, updated, hash)
			SELECT $1, u.id, u.updated, u.hash FROM unnest($2::bytea[], $3::bigint[], $4::bigint[]) AS u(id, updated, hash)
			ON CONFLICT (rid, id) DO UPDATE SET updated = EXCLUDED.updated, hash = EXCLUDED.hash`,
			rid, ids, updated, hashes)
		if err != nil {
			return err
		}
	}
	if len(c.Delete) > 0 {
		ids := make([][]byte, len(c.Delete))
		for i, id := range slices.Sorted(slices.Values(c.Delete)) {
			ids[i] = []byte(id)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM "+s.t.record+" AS r USING unnest($2::bytea[]) AS d(id) WHERE r.rid = $1 AND r.id = d.id", rid, ids); err != nil {
			return err
		}
	}
	return nil
}

// checkKey refuses names PostgreSQL text cannot hold.
func checkKey(key poller.StateKey) error {
	for _, f := range []struct{ name, v string }{{"Instance", key.Instance}, {"Resource", key.Resource}} {
		if !utf8.ValidString(f.v) || strings.IndexByte(f.v, 0) >= 0 {
			return fmt.Errorf("%w: poller.StateKey.%s %q must be UTF-8 without NUL bytes", ErrInvalidKey, f.name, f.v)
		}
	}
	return nil
}

func keyString(key poller.StateKey) string { return fmt.Sprintf("%q/%q", key.Instance, key.Resource) }

// encodeMissing writes Missing counts as a count, then each id (length
// first) and its count, all varints. nil stays nil (the column keeps its
// value); an empty map is one zero byte.
func encodeMissing(m map[string]int) []byte {
	if m == nil {
		return nil
	}
	b := binary.AppendUvarint(nil, uint64(len(m)))
	for id, n := range m {
		b = binary.AppendUvarint(b, uint64(len(id)))
		b = append(b, id...)
		b = binary.AppendVarint(b, int64(n))
	}
	return b
}

func decodeMissing(b []byte) (map[string]int, error) {
	m := map[string]int{}
	if b == nil {
		return m, nil
	}
	bad := fmt.Errorf("%w: Missing counts of %d bytes do not decode", ErrCorrupt, len(b))
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return nil, bad
	}
	b = b[k:]
	for range n {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return nil, bad
		}
		id := string(b[k : k+int(l)])
		b = b[k+int(l):]
		c, k := binary.Varint(b)
		if k <= 0 {
			return nil, bad
		}
		b = b[k:]
		m[id] = int(c)
	}
	if len(b) != 0 {
		return nil, bad
	}
	return m, nil
}
