package netguard

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// CheckURL rejects a URL early, before any connection. The scheme must be
// http or https (only https with HTTPSOnly) and the host must be set. A
// host that is an IP literal must pass [Guard.CheckAddrPort] with the
// URL's port (the scheme's default when absent). So must the hosts that
// name an address without being one:
//
//   - numbers that C resolvers (inet_aton) read as IPv4: 2130706433,
//     0x7f.1, 017700000001, 127.1 are all 127.0.0.1. A host made only of
//     such numbers that does not read as an address is refused: no DNS
//     name ends in a numeric label.
//   - localhost and *.localhost, which always name loopback (RFC 6761):
//     refused unless 127.0.0.1 or ::1 is allowed on the port.
//
// Other names pass; they are checked after resolution, at dial time, which
// is the check that counts. Every error wraps [ErrRefused]; none quotes
// the URL, whose user info or query may carry credentials.
func (g Guard) CheckURL(u *url.URL) error {
	if u == nil {
		return fmt.Errorf("%w: no URL", ErrRefused)
	}
	var port uint16 = 80
	switch u.Scheme {
	case "https":
		port = 443
	case "http":
		if g.HTTPSOnly {
			return fmt.Errorf("%w: scheme http, only https is allowed", ErrRefused)
		}
	default:
		return fmt.Errorf("%w: scheme %s, want http or https", ErrRefused, quoteHost(u.Scheme))
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("%w: URL has no host", ErrRefused)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return fmt.Errorf("%w: port %s is not a port number", ErrRefused, quoteHost(p))
		}
		port = uint16(n)
	}
	if strings.IndexByte(host, ':') >= 0 {
		// Only an IPv6 address has a colon in its host.
		a, err := netip.ParseAddr(host)
		if err != nil {
			return fmt.Errorf("%w: host %s is not an IPv6 address", ErrRefused, quoteHost(host))
		}
		return g.CheckAddrPort(netip.AddrPortFrom(a, port))
	}
	// A trailing dot makes a name absolute; it names the same host.
	name := strings.TrimSuffix(host, ".")
	if a, numeric, ok := parseInetAton(name); numeric {
		if !ok {
			return fmt.Errorf("%w: host %s is numeric but not an IPv4 address", ErrRefused, quoteHost(host))
		}
		err := g.CheckAddrPort(netip.AddrPortFrom(a, port))
		if err != nil && host != a.String() {
			return fmt.Errorf("host %s reads as %s: %w", quoteHost(host), a, err)
		}
		return err
	}
	if isLocalhost(name) {
		v4 := g.CheckAddrPort(netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), port))
		if v4 == nil || g.CheckAddrPort(netip.AddrPortFrom(netip.IPv6Loopback(), port)) == nil {
			return nil
		}
		return fmt.Errorf("host %s names loopback: %w", quoteHost(host), v4)
	}
	return nil
}

// quoteHost quotes a host (or a scheme or port) for an error, cut to a length fit for one: no
// DNS name is longer than 253 bytes, but a URL's host can be.
func quoteHost(h string) string {
	const max = 64
	if len(h) <= max {
		return strconv.Quote(h)
	}
	return strconv.Quote(h[:max]) + "..."
}

// isLocalhost reports whether name is localhost or a name under it, which
// resolvers answer with loopback without asking DNS (RFC 6761, 6.3).
func isLocalhost(name string) bool {
	const l = "localhost"
	n := len(name)
	return n >= len(l) && strings.EqualFold(name[n-len(l):], l) &&
		(n == len(l) || name[n-len(l)-1] == '.')
}

// parseInetAton reads host as inet_aton does: one to four parts separated
// by dots, each decimal, octal (a leading 0) or hexadecimal (a leading
// 0x), the last part filling the bytes the others leave. numeric reports
// whether host is made only of numbers, ok whether they form an address.
func parseInetAton(host string) (a netip.Addr, numeric, ok bool) {
	// Every part is looked at before any is judged: a name with one
	// numeric label is a name, not a malformed address.
	parts := strings.Count(host, ".") + 1
	for rest := host; ; {
		p, tail, more := strings.Cut(rest, ".")
		if !numericPart(p) {
			return netip.Addr{}, false, false
		}
		if !more {
			break
		}
		rest = tail
	}
	if parts > 4 {
		return netip.Addr{}, true, false
	}
	var v uint64
	for i, rest := 0, host; i < parts; i++ {
		p, tail, _ := strings.Cut(rest, ".")
		rest = tail
		n, err := strconv.ParseUint(p, 0, 32)
		if err != nil {
			return netip.Addr{}, true, false
		}
		if i < parts-1 {
			if n > 0xff {
				return netip.Addr{}, true, false
			}
			v = v<<8 | n
			continue
		}
		// The last part fills the remaining bytes.
		bits := 8 * (4 - i)
		if n >= 1<<bits {
			return netip.Addr{}, true, false
		}
		v = v<<bits | n
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true, true
}

// numericPart reports whether p is written as a number: digits, or 0x and
// hex digits. Its value may still be out of range, or a bad octal.
func numericPart(p string) bool {
	if len(p) >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') {
		for i := 2; i < len(p); i++ {
			if !isHex(p[i]) {
				return false
			}
		}
		return true
	}
	if p == "" {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
