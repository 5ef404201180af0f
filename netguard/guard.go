package netguard

import (
	"errors"
	"fmt"
	"net/netip"
)

// Guard decides which addresses an outbound request may connect to. It
// protects against server-side request forgery: callback URLs and vendor
// URLs come from users, and without it a tenant could make the library
// send requests to the loopback interface, the internal network or the
// cloud metadata endpoint, and read or publish what they answer.
//
// The decisive check runs at dial time, on the IP address actually being
// connected to (after DNS resolution, for every address tried), so a name
// that resolves, or is rebound, to a refused address is refused as well,
// and so is every redirect hop. [Guard.CheckURL] is only an early,
// friendlier rejection.
//
// The zero Guard refuses every non-public range listed below and allows
// both http and https.
//
// The package documentation lists the refused ranges.
type Guard struct {
	// AllowPrivate turns the guard off for non-public ranges (private
	// deployments and tests on loopback): loopback, private (RFC 1918),
	// CGNAT, link-local, ULA, site-local, NAT64 local-use, IETF protocol
	// assignments, documentation and benchmarking. The ranges marked * in
	// the package documentation's table stay refused. False (the zero value) refuses them
	// all.
	AllowPrivate bool

	// Allow lists CIDR prefixes that are allowed even though they are in a
	// refused range, always ones included. An address is allowed if it, or
	// the IPv4 address it embeds, is in one of them; write IPv4 prefixes
	// in IPv4 form (127.0.0.1/32, not ::ffff:127.0.0.1/128). Nil (the zero
	// value) allows nothing extra.
	Allow []netip.Prefix

	// AllowAddrPorts lists single addresses, each with its port, that are
	// allowed even though they are in a refused range: a test allows
	// exactly its own httptest server (127.0.0.1:41234) and still sees
	// every other loopback port refused, a redirect to one included. An
	// IPv4-mapped form matches its IPv4 address. Nil (the zero value)
	// allows nothing extra.
	AllowAddrPorts []netip.AddrPort

	// HTTPSOnly refuses http:// URLs. False (the zero value) accepts http
	// and https.
	HTTPSOnly bool
}

// ErrRefused reports an address or a URL that a [Guard] refuses:
// loopback, private, link-local and the other non-public ranges, unless
// allowed, and URLs that are not http(s). Test for it with [errors.Is].
var ErrRefused = errors.New("netguard: refused")

// addrRange is one refused range.
type addrRange struct {
	prefix netip.Prefix
	name   string
	// always: not opened by AllowPrivate.
	always bool
}

// blockedRanges, the refused ranges, are searched in order and the first
// match decides, so a more specific range must precede the one containing
// it (the metadata addresses before link-local and ULA, ::/128 and ::1/128
// before ::/96).
var blockedRanges = func() []addrRange {
	rs := []struct {
		prefix, name string
		always       bool
	}{
		{"0.0.0.0/8", "this network (unspecified)", true},
		{"10.0.0.0/8", "private (RFC 1918)", false},
		{"100.100.100.200/32", "cloud metadata", true},
		{"100.64.0.0/10", "shared address space (CGNAT)", false},
		{"127.0.0.0/8", "loopback", false},
		{"169.254.169.254/32", "cloud metadata", true},
		{"169.254.0.0/16", "link-local", false},
		{"172.16.0.0/12", "private (RFC 1918)", false},
		{"192.0.0.0/24", "IETF protocol assignments", false},
		{"192.0.2.0/24", "documentation", false},
		{"192.168.0.0/16", "private (RFC 1918)", false},
		{"198.18.0.0/15", "benchmarking", false},
		{"198.51.100.0/24", "documentation", false},
		{"203.0.113.0/24", "documentation", false},
		{"224.0.0.0/4", "multicast", true},
		{"255.255.255.255/32", "broadcast", true},
		{"240.0.0.0/4", "reserved", true},

		{"::/128", "unspecified", true},
		{"::1/128", "loopback", false},
		{"::/96", "IPv4-compatible (deprecated)", true},
		{"64:ff9b:1::/48", "NAT64 local-use", false},
		{"100::/64", "discard", true},
		{"2001:db8::/32", "documentation", false},
		{"fd00:ec2::254/128", "cloud metadata", true},
		{"fc00::/7", "unique local (ULA)", false},
		{"fe80::/10", "link-local", false},
		{"fec0::/10", "site-local (deprecated)", false},
		{"ff00::/8", "multicast", true},
	}
	out := make([]addrRange, len(rs))
	for i, r := range rs {
		out[i] = addrRange{netip.MustParsePrefix(r.prefix), r.name, r.always}
	}
	return out
}()

var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
)

// CheckAddrPort returns nil if a request may connect to ap: ap is one of
// AllowAddrPorts, or its address is allowed on any port (it is in none of
// the refused ranges, or in one of Allow). Otherwise it returns an error
// wrapping [ErrRefused] that names the address and its range. The invalid
// (zero) address is refused; an IPv6 zone is ignored.
func (g Guard) CheckAddrPort(ap netip.AddrPort) error {
	if len(g.AllowAddrPorts) > 0 {
		a := ap.Addr().Unmap().WithZone("")
		for _, e := range g.AllowAddrPorts {
			if e.Port() == ap.Port() && e.Addr().Unmap().WithZone("") == a {
				return nil
			}
		}
	}
	return g.checkAddr(ap.Addr())
}

// checkAddr returns nil if a request may connect to addr on any port, and
// otherwise an error wrapping [ErrRefused] that names the address and its
// range. AllowAddrPorts plays no part.
func (g Guard) checkAddr(addr netip.Addr) error {
	if !addr.IsValid() {
		return fmt.Errorf("%w: invalid address", ErrRefused)
	}
	// Prefix.Contains never matches an address with a zone, so a zone
	// would otherwise smuggle fe80::1%eth0 past the link-local range.
	a := addr.WithZone("")
	v4, embeds := embeddedIPv4(a)
	if g.allowed(a) || embeds && g.allowed(v4) {
		return nil
	}
	if r, ok := g.blocked(a); ok {
		return fmt.Errorf("%w: %s is %s (%s)", ErrRefused, addr, r.name, r.prefix)
	}
	if embeds {
		if r, ok := g.blocked(v4); ok {
			return fmt.Errorf("%w: %s embeds %s, %s (%s)", ErrRefused, addr, v4, r.name, r.prefix)
		}
	}
	return nil
}

// allowed reports whether a is in one of g.Allow.
func (g Guard) allowed(a netip.Addr) bool {
	for _, p := range g.Allow {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// blocked returns the range that refuses a, if any.
func (g Guard) blocked(a netip.Addr) (addrRange, bool) {
	for _, r := range blockedRanges {
		if r.prefix.Contains(a) {
			return r, r.always || !g.AllowPrivate
		}
	}
	return addrRange{}, false
}

// embeddedIPv4 returns the IPv4 address that packets to a reach, for the
// IPv6 forms that carry one: IPv4-mapped (the kernel dials it as IPv4),
// NAT64 (a translator forwards to it) and 6to4 (a relay tunnels to it).
func embeddedIPv4(a netip.Addr) (netip.Addr, bool) {
	switch {
	case a.Is4In6():
		return a.Unmap(), true
	case nat64Prefix.Contains(a):
		b := a.As16()
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixToFour.Contains(a):
		b := a.As16()
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}
