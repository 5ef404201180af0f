package engine

import (
	"context"
	"time"
)

// Claimer decides which of several replicas running the same instances
// polls an instance in each interval, so that each interval is polled
// once across them. riverstore implements it on PostgreSQL; a single
// process needs none.
type Claimer interface {
	// Claim reports whether the caller may poll the instance id at
	// version in the interval that starts at window: true for the first
	// caller of each (id, window), false for every other, and false when
	// the store no longer holds id at version (deleted, disabled or
	// changed since the caller loaded it, so a stale replica never polls
	// with an old plan). It must be safe for concurrent use.
	Claim(ctx context.Context, id string, version int64, window time.Time) (bool, error)
}

// window returns the start of the interval of length every that holds t,
// counted from the Unix epoch, so that every replica computes the same.
func window(t time.Time, every time.Duration) time.Time {
	return t.Truncate(every)
}
