package engine

import (
	"fmt"
	"slices"
)

// Match reports whether f selects r (its Tenant and its filters; not the
// cursor nor the limit). Stores that cannot filter in their query filter
// with it.
func (f Filter) Match(r Record) bool {
	return (f.AllTenants || r.Tenant == f.Tenant) &&
		(f.ElementKey == "" || r.ElementKey == f.ElementKey) &&
		(f.VendorType == "" || r.VendorType == f.VendorType) &&
		(f.Tag == "" || slices.Contains(r.Tags, f.Tag)) &&
		(f.Enabled == nil || r.Enabled == *f.Enabled)
}

// PageSize returns the number of records f asks for (Limit, with its
// default and cap applied), or [ErrInvalid] for a filter without a tenant
// (or with both a tenant and AllTenants) or with a negative limit. Every store checks a filter with it.
func (f Filter) PageSize() (int, error) {
	switch {
	case f.Tenant == "" && !f.AllTenants:
		return 0, fmt.Errorf("%w: Filter.Tenant is required", ErrInvalid)
	case f.Tenant != "" && f.AllTenants:
		return 0, fmt.Errorf("%w: Filter.Tenant is set with Filter.AllTenants", ErrInvalid)
	case f.Limit < 0:
		return 0, fmt.Errorf("%w: Filter.Limit is %d", ErrInvalid, f.Limit)
	case f.Limit == 0:
		return DefaultListLimit, nil
	}
	return min(f.Limit, MaxListLimit), nil
}

// Check returns [ErrInvalid] for a record without a tenant or an id.
// Every store checks a record with it before writing, and may refuse more
// (what its keys or columns cannot hold).
func (r Record) Check() error {
	switch {
	case r.Tenant == "":
		return fmt.Errorf("%w: Record.Tenant is required", ErrInvalid)
	case r.ID == "":
		return fmt.Errorf("%w: Record.ID is required", ErrInvalid)
	}
	return nil
}
