package riverstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/a12b7632/elementevents/engine"
)

// eventPruneBatch is how many notifications one Prune statement deletes
// at most, so that pruning a week of notifications holds no lock on all
// of them at once and other replicas' prunes skip, not wait for, them.
const eventPruneBatch = 10_000

// eventLog is the [engine.EventLog] of NewEventLog.
type eventLog struct {
	pool *pgxpool.Pool
	t    tables
}

var _ engine.EventLog = (*eventLog)(nil)

// NewEventLog returns an [engine.EventLog] in pool's database, in the
// table elementevents_event_log that [Migrate] created (migration 6), for
// engines that share the database: give each replica's engine.Config the
// same database's event log, and the /instances/{id}/events API of any
// replica lists the notifications every replica logged.
//
// Append is one INSERT per notification, ON CONFLICT (id) DO NOTHING, and
// Update one UPDATE per change that appends its attempt to the jsonb
// attempts array in place, so concurrent updates of one notification lose
// no attempt; the statements of a call with several run in one
// transaction, all or none, in id order (a call's changes of one id in
// the order given), so concurrent calls do not deadlock. List is one
// query on the (tenant, instance, created, id) index, the (tenant,
// instance, status, created, id) one when it asks for one status, or the
// (tenant, created, id) one, read newest first from the cursor and
// stopped at the limit; a cursor costs one more indexed read. Prune
// deletes the oldest in statements of at most 10,000, skipping rows
// another replica's prune holds.
//
// Bodies are kept byte for byte; times to the microsecond, returned in
// UTC. Ids, tenants, instances, object types, event types and reasons
// are PostgreSQL text: one with a NUL byte or invalid UTF-8 is
// [engine.ErrInvalid]. The log reads no clock: cfg.Clock is not used.
func NewEventLog(pool *pgxpool.Pool, cfg StoreConfig) (engine.EventLog, error) {
	if pool == nil {
		return nil, fmt.Errorf("%w: NewEventLog needs a pool", ErrConfig)
	}
	return &eventLog{pool: pool, t: newTables(cfg.Schema)}, nil
}

// Append implements [engine.EventLog.Append].
func (l *eventLog) Append(ctx context.Context, evs ...engine.LoggedEvent) error {
	for _, e := range evs {
		if err := checkLogged(e); err != nil {
			return fmt.Errorf("riverstore: append logged events: %w", err)
		}
	}
	// In id order, a stable sort keeping the first of a repeated id
	// first: two calls never wait for each other's rows in a cycle.
	evs = slices.Clone(evs)
	slices.SortStableFunc(evs, func(a, b engine.LoggedEvent) int { return cmp.Compare(a.ID, b.ID) })
	b := &pgx.Batch{}
	for _, e := range evs {
		attempts, err := encodeAttempts(e.Attempts...)
		if err != nil {
			return fmt.Errorf("riverstore: append logged event %q: %w", truncateID(e.ID), err)
		}
		types := e.EventTypes
		if types == nil {
			types = []string{}
		}
		body := e.Body
		if body == nil {
			body = []byte{}
		}
		b.Queue("INSERT INTO "+l.t.eventLog+" ("+loggedColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12) ON CONFLICT (id) DO NOTHING`,
			e.ID, e.Tenant, e.Instance, e.ObjectType, types, int32(e.Events), []byte(body),
			string(e.Status), e.Created, e.Updated, attempts, e.Reason)
	}
	if err := l.batch(ctx, b); err != nil {
		return fmt.Errorf("riverstore: append %d logged events: %w", len(evs), err)
	}
	return nil
}

// Update implements [engine.EventLog.Update].
func (l *eventLog) Update(ctx context.Context, us ...engine.EventUpdate) error {
	for _, u := range us {
		if err := checkUpdate(u); err != nil {
			return fmt.Errorf("riverstore: update logged events: %w", err)
		}
	}
	us = slices.Clone(us)
	slices.SortStableFunc(us, func(a, b engine.EventUpdate) int { return cmp.Compare(a.ID, b.ID) })
	b := &pgx.Batch{}
	for _, u := range us {
		attempts := "[]"
		if u.Attempt != nil {
			var err error
			if attempts, err = encodeAttempts(*u.Attempt); err != nil {
				return fmt.Errorf("riverstore: update logged event %q: %w", truncateID(u.ID), err)
			}
		}
		reason := ""
		if u.Status == engine.StatusDead {
			reason = u.Reason
		}
		b.Queue("UPDATE "+l.t.eventLog+` SET status = $2, updated = $3, reason = $4,
			attempts = attempts || $5::jsonb WHERE id = $1`,
			u.ID, string(u.Status), u.At, reason, attempts)
	}
	if err := l.batch(ctx, b); err != nil {
		return fmt.Errorf("riverstore: update %d logged events: %w", len(us), err)
	}
	return nil
}

// batch runs b: one statement on its own, several in one transaction.
func (l *eventLog) batch(ctx context.Context, b *pgx.Batch) error {
	switch b.Len() {
	case 0:
		return nil
	case 1:
		q := b.QueuedQueries[0]
		_, err := l.pool.Exec(ctx, q.SQL, q.Arguments...)
		return ctxErr(ctx, err)
	}
	err := pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		return tx.SendBatch(ctx, b).Close()
	})
	return ctxErr(ctx, err)
}

// Get implements [engine.EventLog.Get].
func (l *eventLog) Get(ctx context.Context, tenant, id string) (engine.LoggedEvent, error) {
	if checkText("id", id) != nil || checkText("tenant", tenant) != nil {
		// PostgreSQL text cannot hold it, so no notification has it.
		return engine.LoggedEvent{}, fmt.Errorf("riverstore: get logged event %q: %w", truncateID(id), engine.ErrEventNotFound)
	}
	e, err := scanLogged(l.pool.QueryRow(ctx, "SELECT "+loggedColumns+" FROM "+l.t.eventLog+
		" WHERE id = $1 AND tenant = $2", id, tenant))
	switch {
	case errNoRows(err):
		return engine.LoggedEvent{}, fmt.Errorf("riverstore: get logged event %q: %w", truncateID(id), engine.ErrEventNotFound)
	case err != nil:
		return engine.LoggedEvent{}, fmt.Errorf("riverstore: get logged event %q: %w", truncateID(id), ctxErr(ctx, err))
	}
	return e, nil
}

// List implements [engine.EventLog.List]; see NewEventLog.
func (l *eventLog) List(ctx context.Context, f engine.EventFilter) ([]engine.LoggedEvent, error) {
	limit, err := f.PageSize()
	if err != nil {
		return nil, fmt.Errorf("riverstore: list logged events: %w", err)
	}
	for _, p := range []struct{ name, v string }{
		{"EventFilter.Tenant", f.Tenant}, {"EventFilter.Instance", f.Instance}, {"EventFilter.EventType", f.EventType},
		{"EventFilter.ObjectType", f.ObjectType}, {"EventFilter.After", f.After},
	} {
		if err := checkText(p.name, p.v); err != nil {
			return nil, fmt.Errorf("riverstore: list logged events: %w", err)
		}
	}
	q := listQuery{args: []any{f.Tenant}, where: []string{"tenant = $1"}}
	if f.After != "" {
		var created time.Time
		err := l.pool.QueryRow(ctx, "SELECT created FROM "+l.t.eventLog+" WHERE id = $1 AND tenant = $2",
			f.After, f.Tenant).Scan(&created)
		switch {
		case errNoRows(err):
			return nil, fmt.Errorf("riverstore: list logged events: %w: EventFilter.After %q: the tenant has no such event (pruned since the last page?)",
				engine.ErrInvalid, truncateID(f.After))
		case err != nil:
			return nil, fmt.Errorf("riverstore: list logged events of tenant %q: cursor: %w", f.Tenant, ctxErr(ctx, err))
		}
		q.add("(created, id) < ($%d, $%d)", created, f.After)
	}
	if f.Instance != "" {
		q.add("instance = $%d", f.Instance)
	}
	statuses := make([]string, len(f.Statuses))
	for i, st := range f.Statuses {
		statuses[i] = string(st)
	}
	slices.Sort(statuses)
	statuses = slices.Compact(statuses)
	// With an instance and several statuses, each status is its own
	// ordered read of the (tenant, instance, status, created, id) index,
	// merged (see the query below); otherwise one status is an equality
	// that index serves in order, and several a filter.
	perStatus := f.Instance != "" && len(statuses) > 1
	switch {
	case len(statuses) == 1:
		q.add("status = $%d", statuses[0])
	case len(statuses) > 1 && !perStatus:
		q.add("status = ANY ($%d)", statuses)
	}
	if f.EventType != "" {
		q.add("$%d = ANY (event_types)", f.EventType)
	}
	if f.ObjectType != "" {
		q.add("object_type = $%d", f.ObjectType)
	}
	if !f.Since.IsZero() {
		q.add("created >= $%d", f.Since)
	}
	if !f.Until.IsZero() {
		q.add("created < $%d", f.Until)
	}
	q.args = append(q.args, limit)
	order := " ORDER BY created DESC, id DESC LIMIT $" + strconv.Itoa(len(q.args))
	where := strings.Join(q.where, " AND ")
	sql := "SELECT " + loggedColumns + " FROM " + l.t.eventLog + " WHERE " + where + order
	if perStatus {
		// A page of each status, newest first, merged (PostgreSQL's Merge
		// Append over the index reads): a page costs what its rows do,
		// however rare the statuses are among the instance's
		// notifications.
		parts := make([]string, len(statuses))
		for i, st := range statuses {
			q.args = append(q.args, st)
			parts[i] = "(SELECT " + loggedColumns + " FROM " + l.t.eventLog + " WHERE " + where +
				" AND status = $" + strconv.Itoa(len(q.args)) + order + ")"
		}
		sql = "SELECT " + loggedColumns + " FROM (" + strings.Join(parts, " UNION ALL ") + ") page" + order
	}
	rows, err := l.pool.Query(ctx, sql, q.args...)
	if err != nil {
		return nil, fmt.Errorf("riverstore: list logged events of tenant %q: %w", f.Tenant, ctxErr(ctx, err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (engine.LoggedEvent, error) { return scanLogged(row) })
	if err != nil {
		return nil, fmt.Errorf("riverstore: list logged events of tenant %q: %w", f.Tenant, ctxErr(ctx, err))
	}
	if out == nil {
		out = []engine.LoggedEvent{}
	}
	return out, nil
}

// listQuery gathers the conditions of a List and their arguments.
type listQuery struct {
	where []string
	args  []any
}

// add appends a condition whose placeholders (each %d) all take the
// numbers of args, in order.
func (q *listQuery) add(cond string, args ...any) {
	nums := make([]any, len(args))
	for i := range args {
		nums[i] = len(q.args) + i + 1
	}
	q.where = append(q.where, fmt.Sprintf(cond, nums...))
	q.args = append(q.args, args...)
}

// Prune implements [engine.EventLog.Prune]; see NewEventLog.
func (l *eventLog) Prune(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		tag, err := l.pool.Exec(ctx, "DELETE FROM "+l.t.eventLog+` WHERE id IN (
				SELECT id FROM `+l.t.eventLog+` WHERE created < $1
				ORDER BY created LIMIT $2 FOR UPDATE SKIP LOCKED)`,
			before, eventPruneBatch)
		if err != nil {
			return total, fmt.Errorf("riverstore: prune logged events before %s: %w",
				before.UTC().Format(time.RFC3339Nano), ctxErr(ctx, err))
		}
		n := int(tag.RowsAffected())
		total += n
		if n < eventPruneBatch {
			return total, nil
		}
	}
}
