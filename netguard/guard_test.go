package netguard

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGuardCheckAddr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr    string
		wantErr error
		name    string // range named in the error
	}{
		// 0.0.0.0/8
		{"0.0.0.0", ErrRefused, "this network"},
		{"0.255.255.255", ErrRefused, "this network"},
		{"1.0.0.0", nil, ""},
		// 10.0.0.0/8
		{"9.255.255.255", nil, ""},
		{"10.0.0.0", ErrRefused, "private (RFC 1918)"},
		{"10.255.255.255", ErrRefused, "private (RFC 1918)"},
		{"11.0.0.0", nil, ""},
		// 100.64.0.0/10
		{"100.63.255.255", nil, ""},
		{"100.64.0.0", ErrRefused, "CGNAT"},
		{"100.127.255.255", ErrRefused, "CGNAT"},
		{"100.128.0.0", nil, ""},
		{"100.100.100.200", ErrRefused, "cloud metadata"},
		// 127.0.0.0/8
		{"126.255.255.255", nil, ""},
		{"127.0.0.0", ErrRefused, "loopback"},
		{"127.0.0.1", ErrRefused, "loopback"},
		{"127.255.255.255", ErrRefused, "loopback"},
		{"128.0.0.0", nil, ""},
		// 169.254.0.0/16
		{"169.253.255.255", nil, ""},
		{"169.254.0.0", ErrRefused, "link-local"},
		{"169.254.169.253", ErrRefused, "link-local"},
		{"169.254.169.254", ErrRefused, "cloud metadata"},
		{"169.254.255.255", ErrRefused, "link-local"},
		{"169.255.0.0", nil, ""},
		// 172.16.0.0/12
		{"172.15.255.255", nil, ""},
		{"172.16.0.0", ErrRefused, "private (RFC 1918)"},
		{"172.31.255.255", ErrRefused, "private (RFC 1918)"},
		{"172.32.0.0", nil, ""},
		// 192.0.0.0/24, 192.0.2.0/24
		{"191.255.255.255", nil, ""},
		{"192.0.0.0", ErrRefused, "IETF protocol assignments"},
		{"192.0.0.255", ErrRefused, "IETF protocol assignments"},
		{"192.0.1.0", nil, ""},
		{"192.0.2.0", ErrRefused, "documentation"},
		{"192.0.2.255", ErrRefused, "documentation"},
		{"192.0.3.0", nil, ""},
		// 192.168.0.0/16 is not in the brief's list but is RFC 1918.
		{"192.168.1.1", ErrRefused, "private (RFC 1918)"},
		// 198.18.0.0/15
		{"198.17.255.255", nil, ""},
		{"198.18.0.0", ErrRefused, "benchmarking"},
		{"198.19.255.255", ErrRefused, "benchmarking"},
		{"198.20.0.0", nil, ""},
		// 198.51.100.0/24, 203.0.113.0/24
		{"198.51.99.255", nil, ""},
		{"198.51.100.0", ErrRefused, "documentation"},
		{"198.51.100.255", ErrRefused, "documentation"},
		{"198.51.101.0", nil, ""},
		{"203.0.112.255", nil, ""},
		{"203.0.113.0", ErrRefused, "documentation"},
		{"203.0.113.255", ErrRefused, "documentation"},
		{"203.0.114.0", nil, ""},
		// 224.0.0.0/4, 240.0.0.0/4, broadcast
		{"223.255.255.255", nil, ""},
		{"224.0.0.0", ErrRefused, "multicast"},
		{"239.255.255.255", ErrRefused, "multicast"},
		{"240.0.0.0", ErrRefused, "reserved"},
		{"255.255.255.254", ErrRefused, "reserved"},
		{"255.255.255.255", ErrRefused, "broadcast"},
		// Public IPv4.
		{"8.8.8.8", nil, ""},
		{"1.1.1.1", nil, ""},

		// IPv6 special addresses.
		{"::", ErrRefused, "unspecified"},
		{"::1", ErrRefused, "loopback"},
		{"::2", ErrRefused, "IPv4-compatible"},
		{"::7f00:1", ErrRefused, "IPv4-compatible"},
		{"::1:0:0:0", nil, ""},
		// fc00::/7, fe80::/10, fec0::/10
		{"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", nil, ""},
		{"fc00::", ErrRefused, "unique local (ULA)"},
		{"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ErrRefused, "unique local (ULA)"},
		{"fd00:ec2::254", ErrRefused, "cloud metadata"},
		{"fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", nil, ""},
		{"fe80::", ErrRefused, "link-local"},
		{"fe80::1%eth0", ErrRefused, "link-local"},
		{"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ErrRefused, "link-local"},
		{"fec0::", ErrRefused, "site-local"},
		{"feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ErrRefused, "site-local"},
		// ff00::/8
		{"ff00::", ErrRefused, "multicast"},
		{"ff02::1", ErrRefused, "multicast"},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ErrRefused, "multicast"},
		// 2001:db8::/32
		{"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", nil, ""},
		{"2001:db8::", ErrRefused, "documentation"},
		{"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", ErrRefused, "documentation"},
		{"2001:db9::", nil, ""},
		// 100::/64
		{"100::", ErrRefused, "discard"},
		{"100::ffff:ffff:ffff:ffff", ErrRefused, "discard"},
		{"100:0:0:1::", nil, ""},
		// Public IPv6.
		{"2606:4700:4700::1111", nil, ""},
		{"2a00:1450:4001:80b::200e", nil, ""},

		// Embedded IPv4: IPv4-mapped.
		{"::ffff:127.0.0.1", ErrRefused, "loopback"},
		{"::ffff:10.1.2.3", ErrRefused, "private (RFC 1918)"},
		{"::ffff:169.254.169.254", ErrRefused, "cloud metadata"},
		{"::ffff:0.0.0.0", ErrRefused, "this network"},
		{"::ffff:8.8.8.8", nil, ""},
		// NAT64 64:ff9b::/96 and local-use 64:ff9b:1::/48.
		{"64:ff9b::7f00:1", ErrRefused, "loopback"},
		{"64:ff9b::a9fe:a9fe", ErrRefused, "cloud metadata"},
		{"64:ff9b::808:808", nil, ""},
		{"64:ff9b:1::808:808", ErrRefused, "NAT64 local-use"},
		// 6to4 2002::/16.
		{"2002:7f00:1::", ErrRefused, "loopback"},
		{"2002:a00:1::1", ErrRefused, "private (RFC 1918)"},
		{"2002:808:808::1", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			t.Parallel()
			err := Guard{}.checkAddr(netip.MustParseAddr(tt.addr))
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			require.ErrorContains(t, err, tt.addr)
			require.ErrorContains(t, err, tt.name)
		})
	}
}

func TestGuardCheckAddrInvalid(t *testing.T) {
	t.Parallel()
	require.ErrorIs(t, Guard{}.checkAddr(netip.Addr{}), ErrRefused)
	require.ErrorIs(t, Guard{AllowPrivate: true}.checkAddr(netip.Addr{}), ErrRefused)
}

func TestGuardCheckAddrMessage(t *testing.T) {
	t.Parallel()
	err := Guard{}.checkAddr(netip.MustParseAddr("127.0.0.1"))
	require.EqualError(t, err, "netguard: refused: 127.0.0.1 is loopback (127.0.0.0/8)")
	err = Guard{}.checkAddr(netip.MustParseAddr("64:ff9b::a9fe:a9fe"))
	require.EqualError(t, err, "netguard: refused: 64:ff9b::a9fe:a9fe embeds 169.254.169.254, cloud metadata (169.254.169.254/32)")
}

func TestGuardCheckAddrAllowPrivate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr    string
		wantErr error
	}{
		{"127.0.0.1", nil},
		{"10.0.0.1", nil},
		{"172.16.0.1", nil},
		{"192.168.0.1", nil},
		{"100.64.0.1", nil},
		{"169.254.0.1", nil},
		{"192.0.0.1", nil},
		{"192.0.2.1", nil},
		{"198.18.0.1", nil},
		{"::1", nil},
		{"fd00::1", nil},
		{"fe80::1%eth0", nil},
		{"fec0::1", nil},
		{"2001:db8::1", nil},
		{"::ffff:127.0.0.1", nil},
		{"64:ff9b::a00:1", nil},
		{"2002:c0a8:1::", nil},
		{"8.8.8.8", nil},
		// Never a valid callback target, AllowPrivate or not.
		{"0.0.0.0", ErrRefused},
		{"0.1.2.3", ErrRefused},
		{"224.0.0.1", ErrRefused},
		{"240.0.0.1", ErrRefused},
		{"255.255.255.255", ErrRefused},
		{"169.254.169.254", ErrRefused},
		{"100.100.100.200", ErrRefused},
		{"::", ErrRefused},
		{"::2", ErrRefused},
		{"100::1", ErrRefused},
		{"ff02::1", ErrRefused},
		{"fd00:ec2::254", ErrRefused},
		{"::ffff:0.0.0.0", ErrRefused},
		{"::ffff:169.254.169.254", ErrRefused},
		{"64:ff9b::e000:1", ErrRefused},
		{"2002:ffff:ffff::", ErrRefused},
	}
	g := Guard{AllowPrivate: true}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			t.Parallel()
			err := g.checkAddr(netip.MustParseAddr(tt.addr))
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestGuardCheckAddrAllow(t *testing.T) {
	t.Parallel()
	g := Guard{Allow: []netip.Prefix{
		netip.MustParsePrefix("127.0.0.1/32"),
		netip.MustParsePrefix("169.254.169.254/32"),
		netip.MustParsePrefix("224.0.0.0/4"),
		netip.MustParsePrefix("fd00::/8"),
	}}
	tests := []struct {
		addr    string
		wantErr error
	}{
		{"127.0.0.1", nil},
		{"::ffff:127.0.0.1", nil},
		{"64:ff9b::7f00:1", nil},
		{"127.0.0.2", ErrRefused},
		{"::1", ErrRefused},
		{"169.254.169.254", nil},
		{"169.254.0.1", ErrRefused},
		{"239.1.2.3", nil},
		{"240.0.0.0", ErrRefused},
		{"fd00::1", nil},
		{"fd00:ec2::254", nil},
		{"fc00::1", ErrRefused},
		{"8.8.8.8", nil},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			t.Parallel()
			err := g.checkAddr(netip.MustParseAddr(tt.addr))
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}

// TestBlockedRangesOrder guards the first-match-wins table: a range that
// an earlier range contains would never match.
func TestBlockedRangesOrder(t *testing.T) {
	t.Parallel()
	for j, rj := range blockedRanges {
		require.Equal(t, rj.prefix.Masked(), rj.prefix, "%s is not masked", rj.prefix)
		for _, ri := range blockedRanges[:j] {
			shadowed := ri.prefix.Bits() <= rj.prefix.Bits() && ri.prefix.Contains(rj.prefix.Addr())
			require.False(t, shadowed, "%s (%s) is shadowed by %s", rj.prefix, rj.name, ri.prefix)
		}
	}
}

func FuzzCheckAddr(f *testing.F) {
	for _, s := range []string{
		"127.0.0.1", "8.8.8.8", "0.0.0.0", "255.255.255.255", "169.254.169.254",
		"::", "::1", "::ffff:10.0.0.1", "64:ff9b::7f00:1", "2002:a00:1::",
		"fe80::1%eth0", "fd00:ec2::254", "2001:db8::1", "ff02::1",
	} {
		a := netip.MustParseAddr(s)
		f.Add(a.AsSlice(), s)
	}
	f.Add([]byte{}, "not an address")
	f.Fuzz(func(t *testing.T, raw []byte, text string) {
		if a, ok := netip.AddrFromSlice(raw); ok {
			checkAddrProperties(t, a)
		} else if len(raw) > 16 {
			checkAddrProperties(t, netip.AddrFrom16([16]byte(raw[:16])))
		}
		if a, err := netip.ParseAddr(text); err == nil {
			checkAddrProperties(t, a)
		}
	})
}

// checkAddrProperties checks invariants of CheckAddr that hold for every
// address.
func checkAddrProperties(t *testing.T, a netip.Addr) {
	t.Helper()
	for _, g := range []Guard{{}, {AllowPrivate: true}} {
		err := g.checkAddr(a)
		if err != nil {
			require.ErrorIs(t, err, ErrRefused)
		}
		blocked := err != nil

		if a.Is4() {
			// The IPv6 forms that carry a reach it, and are judged by it.
			b := a.As4()
			mapped := netip.AddrFrom16(a.As16())
			nat64 := netip.AddrFrom16([16]byte{0, 0x64, 0xff, 0x9b, 12: b[0], b[1], b[2], b[3]})
			sixToFour := netip.AddrFrom16([16]byte{0x20, 0x02, b[0], b[1], b[2], b[3], 15: 1})
			for _, v6 := range []netip.Addr{mapped, nat64, sixToFour} {
				require.Equal(t, blocked, g.checkAddr(v6) != nil, "%s vs %s, %+v", a, v6, g)
			}
		}
		if a.Is6() {
			// A zone changes nothing.
			require.Equal(t, blocked, g.checkAddr(a.WithZone("eth0")) != nil, "%s with zone", a)
		}
		// Allow wins over every range.
		bare := a.WithZone("")
		g.Allow = []netip.Prefix{netip.PrefixFrom(bare, bare.BitLen())}
		require.NoError(t, g.checkAddr(a))
	}
	// AllowPrivate only ever opens.
	if (Guard{}).checkAddr(a) == nil {
		require.NoError(t, Guard{AllowPrivate: true}.checkAddr(a))
	}
}

// TestGuardCheckAddrNoAlloc: CheckAddr runs on every dial, and an allowed
// address costs no allocation. (Not parallel: AllocsPerRun.)
func TestGuardCheckAddrNoAlloc(t *testing.T) {
	g := Guard{Allow: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	for _, s := range []string{"8.8.8.8", "::ffff:8.8.8.8", "2606:4700:4700::1111", "10.1.2.3"} {
		a := netip.MustParseAddr(s)
		require.Zero(t, testing.AllocsPerRun(100, func() { _ = g.checkAddr(a) }), s)
	}
}
