package netguard

import (
	"fmt"
	"net/netip"
	"net/url"
)

// CheckURL rejects a URL early, before any connection: the scheme
// must be http or https (only https with HTTPSOnly), the host must be set,
// and a host that is an IP literal must pass [Guard.CheckAddr]. Host names
// pass; they are checked after resolution, at dial time. Every error wraps
// [ErrRefused]; none quotes the URL, whose user info or query may carry
// credentials.
func (g Guard) CheckURL(u *url.URL) error {
	if u == nil {
		return fmt.Errorf("%w: no URL", ErrRefused)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if g.HTTPSOnly {
			return fmt.Errorf("%w: scheme http, only https is allowed", ErrRefused)
		}
	default:
		return fmt.Errorf("%w: scheme %q, want http or https", ErrRefused, u.Scheme)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("%w: URL has no host", ErrRefused)
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return g.CheckAddr(a)
	}
	return nil
}
