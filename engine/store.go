package engine

import (
	"context"
	"encoding/json"
	"time"
)

// Record is an instance as an [InstanceStore] keeps it: the /instances
// body as last written, and what the store indexes for List.
type Record struct {
	// Tenant owns the instance: every read and write names it, and an
	// instance of another tenant is [ErrNotFound]. Required.
	Tenant string

	// ID is the instance id, unique in the store across tenants (an
	// inbound webhook route names the id alone). Required.
	ID string

	// Version counts the writes: 1 at Create, and each Update stores the
	// version after the one it replaces.
	Version int64

	// Body is the instance as an /instances body, byte for byte as last
	// written: the configuration with its secrets, tags, name and
	// element key, and any key the library does not know. Stores keep it
	// as is; callers must guard the store as they guard the credentials.
	Body json.RawMessage

	// ElementKey, VendorType, Tags and Enabled are derived from Body by
	// the writer, for List's filters.
	ElementKey string
	VendorType string
	Tags       []string
	Enabled    bool

	// Created and Updated are when the instance was created and last
	// written, as the writer's clock said.
	Created, Updated time.Time
}

// Filter selects the instances [InstanceStore.List] returns.
type Filter struct {
	// Tenant whose instances are listed. Required unless AllTenants.
	Tenant string

	// AllTenants lists the instances of every tenant, for the engine
	// that runs them all; never set it from a tenant's request. Tenant
	// must then be empty.
	AllTenants bool

	// ElementKey, VendorType and Tag, when set, keep the instances with
	// that element key, vendor type, or among their tags.
	ElementKey, VendorType, Tag string

	// Enabled, when set, keeps the enabled (or the disabled) instances.
	Enabled *bool

	// After is the cursor: only ids after it, in byte order, are listed.
	// Empty means from the first.
	After string

	// Limit is the most records returned. Zero means 100; more than
	// 1,000 means 1,000; negative is [ErrInvalid].
	Limit int
}

// The limits of [Filter.Limit].
const (
	DefaultListLimit = 100
	MaxListLimit     = 1000
)

// InstanceStore keeps the instances. Implementations must be safe for
// concurrent use and pass the conformance suite in package instancetest.
// Records handed in and out are copies: changing one changes nothing
// stored.
type InstanceStore interface {
	// Create stores r, whose Version must be 1. It fails with
	// [ErrExists] when the id is taken, by this tenant or another.
	Create(ctx context.Context, r Record) error

	// Get returns the instance id of tenant, or [ErrNotFound].
	Get(ctx context.Context, tenant, id string) (Record, error)

	// List returns the tenant's instances that f selects, in byte order
	// of their ids, at most f.Limit of them after f.After. A page shorter
	// than the limit is the last.
	List(ctx context.Context, f Filter) ([]Record, error)

	// Update replaces the instance r.ID of r.Tenant with r, provided the
	// stored version is r.Version-1; otherwise it fails with a
	// [*ConflictError] and changes nothing. [ErrNotFound] when there is
	// no such instance. Created is kept as stored.
	Update(ctx context.Context, r Record) error

	// Delete removes the instance id of tenant, provided its stored
	// version is version; otherwise a [*ConflictError]. [ErrNotFound]
	// when there is no such instance.
	Delete(ctx context.Context, tenant, id string, version int64) error
}
