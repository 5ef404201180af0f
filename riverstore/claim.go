package riverstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/engine"
)

const (
	// claimKeep is how much older than the window being claimed a claim
	// may be before a Claim prunes it: far longer than a cycle's delay, so
	// no replica asks for a pruned window again. An instance's newest
	// claim is kept whatever its age (its interval may be longer than
	// this) while the instance exists.
	claimKeep = 24 * time.Hour
	// claimPruneEvery is how often, at most, one Claimer prunes.
	claimPruneEvery = time.Minute
	// claimPruneBatch bounds the rows one Claim prunes, so that the first
	// claim after a long stop does not delete a backlog in one go: each
	// replica keeps up with this many claims a minute.
	claimPruneBatch = 50_000
)

// claimer is the [engine.Claimer] of NewClaimer.
type claimer struct {
	pool  *pgxpool.Pool
	t     tables
	clock clockwork.Clock

	mu     sync.Mutex
	pruned time.Time // when a Claim last pruned, on clock
}

var _ engine.Claimer = (*claimer)(nil)

// NewClaimer returns an [engine.Claimer] in pool's database, in the table
// elementevents_claim that [Migrate] created, for engines that share the
// database: give each replica's engine.Config the same database's
// NewInstanceStore, NewClaimer, [NewState] and [NewTokenStore].
//
// Claim is one statement: it inserts (id, window) in elementevents_claim
// only if elementevents_instance holds id at that version and enabled
// (as of the statement's start), and does nothing when the row exists,
// so of any number of callers on any replicas exactly one gets true for
// each (id, window), and none once the instance was deleted, disabled or
// changed. At most once a minute (on cfg.Clock) a Claimer's Claim also
// deletes, in the same statement, claims whose window is more than a day
// older than the window it claims, except an instance's newest claim
// while the instance exists (its interval may be longer than a day): up
// to 50,000 of them, skipping rows another replica's prune holds, so
// prunes never wait for each other.
// Ids are PostgreSQL text: one with a NUL byte or invalid UTF-8 is
// [engine.ErrInvalid]. Errors name the instance.
func NewClaimer(pool *pgxpool.Pool, cfg StoreConfig) (engine.Claimer, error) {
	if pool == nil {
		return nil, fmt.Errorf("%w: NewClaimer needs a pool", ErrConfig)
	}
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	return &claimer{pool: pool, t: newTables(cfg.Schema), clock: cfg.Clock}, nil
}

// Claim implements [engine.Claimer.Claim]; see NewClaimer.
func (c *claimer) Claim(ctx context.Context, id string, version int64, window time.Time) (bool, error) {
	if err := checkText("id", id); err != nil {
		return false, fmt.Errorf("riverstore: claim instance %q: %w", id, err)
	}
	now := c.clock.Now()
	prune := c.pruneDue(now)
	// The prune is a data-modifying CTE: PostgreSQL runs it to completion
	// whether or not the INSERT reads it. SKIP LOCKED keeps it from
	// waiting on another replica's prune, and so from a lock cycle with
	// the INSERT of a replica that waits for ours.
	var ok bool
	err := c.pool.QueryRow(ctx, `WITH pruned AS (
			DELETE FROM `+c.t.claim+` WHERE (instance, window_start) IN (
				SELECT o.instance, o.window_start FROM `+c.t.claim+` o
				WHERE $4 AND o.window_start < $5
					AND (EXISTS (SELECT 1 FROM `+c.t.claim+` n WHERE n.instance = o.instance AND n.window_start > o.window_start)
						OR NOT EXISTS (SELECT 1 FROM `+c.t.instance+` i WHERE i.id = o.instance))
				ORDER BY o.window_start LIMIT $6 FOR UPDATE OF o SKIP LOCKED))
		INSERT INTO `+c.t.claim+` (instance, window_start, claimed_at)
		SELECT $1, $2, $7 WHERE EXISTS (
			SELECT 1 FROM `+c.t.instance+` WHERE id = $1 AND version = $3 AND enabled)
		ON CONFLICT (instance, window_start) DO NOTHING
		RETURNING true`,
		id, window, version, prune, window.Add(-claimKeep), claimPruneBatch, now).Scan(&ok)
	switch {
	case errNoRows(err):
		return false, nil
	case err != nil:
		if prune { // try again at the next call
			c.mu.Lock()
			c.pruned = time.Time{}
			c.mu.Unlock()
		}
		return false, fmt.Errorf("riverstore: claim instance %q at version %d for the window of %s: %w",
			id, version, window.UTC().Format(time.RFC3339), ctxErr(ctx, err))
	}
	return ok, nil
}

// pruneDue reports whether a Claim at now prunes, and if so notes it.
func (c *claimer) pruneDue(now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.pruned.IsZero() && now.Sub(c.pruned) < claimPruneEvery {
		return false
	}
	c.pruned = now
	return true
}
