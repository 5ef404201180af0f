package engine

import (
	"fmt"
	"slices"
)

// Match reports whether f selects r (its Tenant and its filters; not the
// cursor nor the limit). Stores that cannot filter in their query filter
// with it.
func (f Filter) Match(r Record) bool {
	return r.Tenant == f.Tenant &&
		(f.ElementKey == "" || r.ElementKey == f.ElementKey) &&
		(f.VendorType == "" || r.VendorType == f.VendorType) &&
		(f.Tag == "" || slices.Contains(r.Tags, f.Tag)) &&
		(f.Enabled == nil || r.Enabled == *f.Enabled)
}

// checkFilter returns the page size f asks for, or ErrInvalid.
func checkFilter(f Filter) (int, error) {
	switch {
	case f.Tenant == "":
		return 0, fmt.Errorf("%w: Filter.Tenant is required", ErrInvalid)
	case f.Limit < 0:
		return 0, fmt.Errorf("%w: Filter.Limit is %d", ErrInvalid, f.Limit)
	case f.Limit == 0:
		return DefaultListLimit, nil
	}
	return min(f.Limit, MaxListLimit), nil
}

// checkRecord refuses a record without a tenant or an id.
func checkRecord(r Record) error {
	switch {
	case r.Tenant == "":
		return fmt.Errorf("%w: Record.Tenant is required", ErrInvalid)
	case r.ID == "":
		return fmt.Errorf("%w: Record.ID is required", ErrInvalid)
	}
	return nil
}
