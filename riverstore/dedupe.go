package riverstore

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/webhook"
)

// sweepEvery is how many Marks pass between two sweeps of expired keys,
// and sweepBatch how many keys one sweep deletes at most.
const (
	sweepEvery = 256
	sweepBatch = 1000
)

// Deduper is a [webhook.Deduper] and a [receiver.Deduper] in PostgreSQL,
// shared by every replica that uses the database: a vendor's retry, or a
// notification sent twice, is recognised whichever replica it reaches. Keys are stored as 128-bit
// SHA-256 prefixes with their expiry in Unix nanoseconds on the configured
// clock; every 256th Mark deletes up to 1,000 expired keys. A Deduper is
// safe for concurrent use.
type Deduper struct {
	pool  *pgxpool.Pool
	t     tables
	clock clockwork.Clock
	marks atomic.Uint64
}

var (
	_ webhook.Deduper  = (*Deduper)(nil)
	_ receiver.Deduper = (*Deduper)(nil)
)

// NewDeduper returns the Deduper in pool's database, whose tables
// [Migrate] created.
func NewDeduper(pool *pgxpool.Pool, cfg StoreConfig) (*Deduper, error) {
	if pool == nil {
		return nil, fmt.Errorf("%w: NewDeduper needs a pool", ErrConfig)
	}
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	return &Deduper{pool: pool, t: newTables(cfg.Schema), clock: cfg.Clock}, nil
}

func dedupeKey(key string) []byte {
	sum := sha256.Sum256([]byte(key))
	return sum[:16]
}

// Seen implements [webhook.Deduper.Seen].
func (d *Deduper) Seen(ctx context.Context, key string) (bool, error) {
	var exp int64
	err := d.pool.QueryRow(ctx, "SELECT expires_at FROM "+d.t.dedupe+" WHERE key = $1", dedupeKey(key)).Scan(&exp)
	if errNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("riverstore: dedupe lookup: %w", err)
	}
	return d.clock.Now().UnixNano() < exp, nil
}

// Mark implements [webhook.Deduper.Mark]; marking a key again moves its
// expiry.
func (d *Deduper) Mark(ctx context.Context, key string, ttl time.Duration) error {
	now := d.clock.Now().UnixNano()
	_, err := d.pool.Exec(ctx, "INSERT INTO "+d.t.dedupe+" (key, expires_at) VALUES ($1, $2) "+
		"ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at", dedupeKey(key), now+int64(ttl))
	if err != nil {
		return fmt.Errorf("riverstore: dedupe mark: %w", err)
	}
	if d.marks.Add(1)%sweepEvery == 0 {
		if _, err := d.Sweep(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Sweep deletes up to 1,000 expired keys and returns how many it deleted.
// Mark calls it now and then; a host may call it on a schedule instead.
func (d *Deduper) Sweep(ctx context.Context) (int64, error) {
	tag, err := d.pool.Exec(ctx, "DELETE FROM "+d.t.dedupe+" WHERE key IN (SELECT key FROM "+d.t.dedupe+
		" WHERE expires_at <= $1 LIMIT $2)", d.clock.Now().UnixNano(), sweepBatch)
	if err != nil {
		return 0, fmt.Errorf("riverstore: dedupe sweep: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Len returns the number of keys held, expired ones not yet swept
// included.
func (d *Deduper) Len(ctx context.Context) (int64, error) {
	var n int64
	if err := d.pool.QueryRow(ctx, "SELECT count(*) FROM "+d.t.dedupe).Scan(&n); err != nil {
		return 0, fmt.Errorf("riverstore: dedupe count: %w", err)
	}
	return n, nil
}
