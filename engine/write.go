package engine

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/a12b7632/elementevents/element"
)

// maxRetries bounds the rereads of a write without a version that keeps
// meeting concurrent writes.
const maxRetries = 10

// Create stores a new instance of tenant from an /instances body and
// starts it: a polling instance is polled at once (its first cycle takes
// a baseline), a webhook instance is served from now on. The body's "id"
// is the instance id when set (ErrExists when taken); otherwise
// Config.NewID gives one. The engine assigns the instance token.
//
// A body that is not a valid instance changes nothing; the error wraps
// [ErrInvalid] and the element package's *element.SyntaxError (with the
// offset) or *element.ValidationError (every problem, each naming its
// configuration key).
func (e *Engine) Create(ctx context.Context, tenant string, data []byte) (*Instance, error) {
	if tenant == "" {
		return nil, fmt.Errorf("%w: create: no tenant", ErrInvalid)
	}
	b, err := decodeBody(data)
	if err != nil {
		return nil, err
	}
	if _, ok := b[keyToken]; ok {
		return nil, fmt.Errorf("%w: token: the instance token is assigned by the engine", ErrInvalid)
	}
	id := b.str(keyID)
	if id == "" {
		id = e.cfg.NewID()
	}
	token := randomToken()
	b.set(keyID, id)
	b.set(keyToken, token)
	b.set(keyDisabled, b.disabled())
	raw, err := b.encode()
	if err != nil {
		return nil, err
	}
	now := e.cfg.Clock.Now().UTC()
	rec := Record{Tenant: tenant, ID: id, Version: 1, Body: raw, Created: now, Updated: now}
	s, err := e.build(&rec)
	if err != nil {
		return nil, err
	}
	if err := e.cfg.Store.Create(ctx, rec); err != nil {
		return nil, err
	}
	e.install(s, true)
	return &Instance{Record: rec, Token: token, Config: s.inst}, nil
}

// Get returns the instance id of tenant, parsed, or [ErrNotFound].
func (e *Engine) Get(ctx context.Context, tenant, id string) (*Instance, error) {
	rec, err := e.cfg.Store.Get(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	return e.instance(rec)
}

// instance parses rec.
func (e *Engine) instance(rec Record) (*Instance, error) {
	inst, err := element.Parse(rec.Body)
	if err != nil {
		return nil, fmt.Errorf("engine: stored instance %q no longer parses: %w", rec.ID, err)
	}
	if inst.ID == "" {
		inst.ID = rec.ID
	}
	b, err := decodeBody(rec.Body)
	if err != nil {
		return nil, fmt.Errorf("engine: stored instance %q no longer parses: %w", rec.ID, err)
	}
	return &Instance{Record: rec, Token: b.str(keyToken), Config: inst}, nil
}

// List returns the records of f's tenant that f selects, as
// [InstanceStore.List] does. Records are not parsed: their Body is the
// stored body, secrets included.
func (e *Engine) List(ctx context.Context, f Filter) ([]Record, error) {
	if f.AllTenants {
		return nil, fmt.Errorf("%w: Engine.List lists one tenant's instances", ErrInvalid)
	}
	return e.cfg.Store.List(ctx, f)
}

// Update replaces the instance id of tenant with the /instances body data,
// provided it is at version (zero: whatever its version), and applies the
// new configuration at once; see [Engine.Patch] for what carries over.
// The body may repeat the instance's id and token, not change them; a
// body without "disabled" keeps the instance enabled or disabled as it
// was. A stale version is a [*ConflictError]; an invalid body changes
// nothing and is an error as [Engine.Create] describes.
func (e *Engine) Update(ctx context.Context, tenant, id string, version int64, data []byte) (*Instance, error) {
	return e.write(ctx, tenant, id, version, func(cur body) (body, error) {
		nb, err := decodeBody(data)
		if err != nil {
			return nil, err
		}
		if _, ok := nb[keyDisabled]; !ok {
			nb.set(keyDisabled, cur.disabled())
		}
		return nb, nil
	})
}

// Patch merges data into the instance id of tenant, as a JSON merge patch
// (RFC 7396): {"configuration":{"event.poller.refresh_interval":"5"}}
// changes that key and keeps the others, a key set to null is removed,
// "tags" and "name" are replaced. The rest is as [Engine.Update]: version
// zero means any, a stale one is a [*ConflictError], and a patch that
// would leave the instance invalid changes nothing.
//
// The change applies at once. A polling instance keeps its schedule (its
// next cycle comes sooner if the refresh interval shrank) and what its
// pollers remember (watermark, records), except for a resource whose url
// or idField changed, or that was removed: that resource's next cycle
// takes a new baseline and reports nothing. A new callback URL or
// signature key applies to notifications not yet delivered.
func (e *Engine) Patch(ctx context.Context, tenant, id string, version int64, data []byte) (*Instance, error) {
	if _, err := decodeBody(data); err != nil {
		return nil, err
	}
	return e.write(ctx, tenant, id, version, func(cur body) (body, error) {
		old, err := cur.encode()
		if err != nil {
			return nil, err
		}
		merged, err := mergePatch(old, data)
		if err != nil {
			return nil, err
		}
		return decodeBody(merged)
	})
}

// SetEnabled enables or disables the instance id of tenant (its body's
// "disabled" key). A disabled instance is kept with its configuration and
// state but polls nothing and takes no webhooks (404), until enabled.
func (e *Engine) SetEnabled(ctx context.Context, tenant, id string, enabled bool) (*Instance, error) {
	return e.write(ctx, tenant, id, 0, func(cur body) (body, error) {
		cur.set(keyDisabled, !enabled)
		return cur, nil
	})
}

// write replaces the instance id of tenant with what change makes of its
// body, at version (zero: any, rereading after a concurrent write), and
// installs it.
func (e *Engine) write(ctx context.Context, tenant, id string, version int64, change func(cur body) (body, error)) (*Instance, error) {
	// Writes of one instance in this process go one at a time, so that
	// they never make each other retry; the version check covers writers
	// in other processes.
	unlock, err := e.writing.Lock(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("engine: write %q: %w", id, err)
	}
	defer unlock()
	for attempt := 0; ; attempt++ {
		cur, err := e.cfg.Store.Get(ctx, tenant, id)
		if err != nil {
			return nil, err
		}
		if version != 0 && cur.Version != version {
			return nil, &ConflictError{ID: id, Stored: cur.Version, Base: version}
		}
		cb, err := decodeBody(cur.Body)
		if err != nil {
			return nil, fmt.Errorf("engine: stored instance %q no longer parses: %w", id, err)
		}
		token := cb.str(keyToken)
		nb, err := change(cb)
		if err != nil {
			return nil, err
		}
		if err := nb.checkOwned(id, token); err != nil {
			return nil, err
		}
		nb.set(keyID, id)
		nb.set(keyToken, token)
		raw, err := nb.encode()
		if err != nil {
			return nil, err
		}
		rec := Record{Tenant: tenant, ID: id, Version: cur.Version + 1, Body: raw,
			Created: cur.Created, Updated: e.cfg.Clock.Now().UTC()}
		s, err := e.build(&rec)
		if err != nil {
			return nil, err
		}
		err = e.cfg.Store.Update(ctx, rec)
		if errors.Is(err, ErrConflict) && version == 0 && attempt < maxRetries {
			continue
		}
		if err != nil {
			return nil, err
		}
		if resets := e.install(s, true); resets != nil {
			ctx := context.WithoutCancel(ctx)
			e.forget(ctx, id, resets)
			e.release(ctx, id, s.run, func(cur *slot) time.Time { return cur.due })
		}
		return &Instance{Record: rec, Token: token, Config: s.inst}, nil
	}
}

// Delete removes the instance id of tenant, provided it is at version
// (zero: any), stops it at once, and forgets what its pollers (or, for a
// webhook instance, its gap filler) remembered and its OAuth 2 token;
// with Config.Subscriptions on, its vendor webhooks are removed in the
// background. Its notifications already accepted are still
// delivered to the callback URL they were published for (or
// dead-lettered as any other), and stay in the event log until pruned.
func (e *Engine) Delete(ctx context.Context, tenant, id string, version int64) error {
	unlock, err := e.writing.Lock(ctx, id)
	if err != nil {
		return fmt.Errorf("engine: delete %q: %w", id, err)
	}
	defer unlock()
	for attempt := 0; ; attempt++ {
		cur, err := e.cfg.Store.Get(ctx, tenant, id)
		if err != nil {
			return err
		}
		if version != 0 && cur.Version != version {
			return &ConflictError{ID: id, Stored: cur.Version, Base: version}
		}
		err = e.cfg.Store.Delete(ctx, tenant, id, cur.Version)
		if errors.Is(err, ErrConflict) && version == 0 && attempt < maxRetries {
			continue
		}
		if err != nil {
			return err
		}
		e.remove(ctx, id, true)
		return nil
	}
}

// ByToken returns the instance whose token is token, whatever its tenant
// (the caller checks it), or [ErrNotFound]. Tokens are looked up by their
// SHA-256 hash.
func (e *Engine) ByToken(ctx context.Context, token string) (*Instance, error) {
	h := sha256.Sum256([]byte(token))
	e.mu.Lock()
	id, ok := e.tokens[tokenKey(h)]
	var tenant string
	if ok {
		tenant = e.slots[id].rec.Tenant
	}
	e.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("engine: instance token: %w", ErrNotFound)
	}
	return e.Get(ctx, tenant, id)
}

// ErrNotPolling reports a poll asked of an instance that polls nothing: a
// webhook instance, a disabled one, or one whose events are not enabled.
var ErrNotPolling = errors.New("engine: the instance polls nothing")

// PollNow starts a cycle of the instance id of tenant as soon as a worker
// is free (after the cycle in flight, if one is), instead of at its next
// scheduled time; the schedule then continues from it. It returns at once.
func (e *Engine) PollNow(_ context.Context, tenant, id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.slots[id]
	switch {
	case s == nil || s.rec.Tenant != tenant:
		return fmt.Errorf("engine: poll %q: %w", id, ErrNotFound)
	case s.poller == nil:
		return fmt.Errorf("engine: poll %q: %w", id, ErrNotPolling)
	case s.run.busy:
		s.run.again = true
	default:
		e.put(s, e.cfg.Clock.Now())
	}
	return nil
}
