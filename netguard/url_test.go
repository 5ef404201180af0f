package netguard

import (
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGuardCheckURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		guard   Guard
		url     string
		wantErr error
	}{
		{"https", Guard{}, "https://hooks.example.com/cb", nil},
		{"http", Guard{}, "http://hooks.example.com/cb", nil},
		{"http HTTPSOnly", Guard{HTTPSOnly: true}, "http://hooks.example.com/cb", ErrRefused},
		{"https HTTPSOnly", Guard{HTTPSOnly: true}, "https://hooks.example.com/cb", nil},
		{"upper-case scheme", Guard{}, "HTTPS://hooks.example.com/cb", nil},
		{"ftp", Guard{}, "ftp://hooks.example.com/cb", ErrRefused},
		{"file", Guard{}, "file:///etc/passwd", ErrRefused},
		{"gopher", Guard{}, "gopher://127.0.0.1:6379/_", ErrRefused},
		{"no scheme", Guard{}, "//hooks.example.com/cb", ErrRefused},
		{"no host", Guard{}, "https:///cb", ErrRefused},
		{"opaque", Guard{}, "https:hooks.example.com", ErrRefused},
		{"public IPv4", Guard{}, "https://8.8.8.8/cb", nil},
		{"loopback IPv4", Guard{}, "http://127.0.0.1:8080/cb", ErrRefused},
		{"metadata", Guard{}, "http://169.254.169.254/latest/meta-data/", ErrRefused},
		{"loopback IPv6", Guard{}, "http://[::1]:8080/cb", ErrRefused},
		{"mapped IPv6", Guard{}, "http://[::ffff:127.0.0.1]/cb", ErrRefused},
		{"zoned IPv6", Guard{}, "http://[fe80::1%25eth0]/cb", ErrRefused},
		{"public IPv6", Guard{}, "https://[2606:4700:4700::1111]/cb", nil},
		{"loopback AllowPrivate", Guard{AllowPrivate: true}, "http://127.0.0.1:8080/cb", nil},
		{"loopback Allow", Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, "http://127.0.0.1/cb", nil},
		// Names pass here; the dial-time check sees what they resolve to.
		{"name", Guard{}, "http://hooks.example.com./cb", nil},
		{"name with a numeric label", Guard{}, "http://1.example.com/cb", nil},
		{"name that starts like hex", Guard{}, "http://0xdeadbeef.example.com/cb", nil},
		{"hex-looking name", Guard{}, "http://123abc/cb", nil},

		// Names that always mean loopback.
		{"localhost", Guard{}, "http://localhost/cb", ErrRefused},
		{"localhost with port", Guard{}, "http://localhost:8080/cb", ErrRefused},
		{"LOCALHOST", Guard{}, "http://LOCALHOST/cb", ErrRefused},
		{"localhost.", Guard{}, "http://localhost./cb", ErrRefused},
		{"sub.localhost", Guard{}, "http://api.localhost/cb", ErrRefused},
		{"notlocalhost", Guard{}, "http://notlocalhost/cb", nil},
		{"localhost.example.com", Guard{}, "http://localhost.example.com/cb", nil},
		{"localhost AllowPrivate", Guard{AllowPrivate: true}, "http://localhost/cb", nil},
		{"localhost Allow ::1", Guard{Allow: []netip.Prefix{netip.MustParsePrefix("::1/128")}}, "http://localhost/cb", nil},

		// Numbers that C resolvers read as IPv4 (inet_aton).
		{"decimal", Guard{}, "http://2130706433/cb", ErrRefused},
		{"hex", Guard{}, "http://0x7f000001/cb", ErrRefused},
		{"hex upper", Guard{}, "http://0X7F000001/cb", ErrRefused},
		{"octal", Guard{}, "http://017700000001/cb", ErrRefused},
		{"hex, two parts", Guard{}, "http://0x7f.1/cb", ErrRefused},
		{"two parts", Guard{}, "http://127.1/cb", ErrRefused},
		{"three parts", Guard{}, "http://127.0.1/cb", ErrRefused},
		{"octal parts", Guard{}, "http://0177.0.0.01/cb", ErrRefused},
		{"mixed parts", Guard{}, "http://0xa9.0376.43518/cb", ErrRefused}, // 169.254.169.254
		{"trailing dot", Guard{}, "http://127.0.0.1./cb", ErrRefused},
		{"zero", Guard{}, "http://0/cb", ErrRefused},
		{"public decimal", Guard{}, "http://134744072/cb", nil}, // 8.8.8.8
		{"public octal", Guard{}, "http://0127.0.0.1/cb", nil},  // 87.0.0.1
		{"decimal AllowPrivate", Guard{AllowPrivate: true}, "http://2130706433/cb", nil},
		{"overflow", Guard{}, "http://4294967296/cb", ErrRefused},
		{"part overflow", Guard{}, "http://256.0.0.1/cb", ErrRefused},
		{"last part overflow", Guard{}, "http://1.2.65536/cb", ErrRefused},
		{"bad octal", Guard{}, "http://08.0.0.1/cb", ErrRefused},
		{"empty hex", Guard{}, "http://0x/cb", ErrRefused},
		{"five parts", Guard{}, "http://1.2.3.4.5/cb", ErrRefused},

		// Ports, for AllowAddrPorts.
		{"allowed addr:port", Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:8080")}}, "http://127.0.0.1:8080/cb", nil},
		{"other port", Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:8080")}}, "http://127.0.0.1:8081/cb", ErrRefused},
		{"default port", Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:80")}}, "http://127.0.0.1/cb", nil},
		{"https default port", Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:443")}}, "https://127.0.0.1/cb", nil},
		{"other address", Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:8080")}}, "http://127.0.0.2:8080/cb", ErrRefused},
		{"allowed addr:port, decimal", Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:8080")}}, "http://2130706433:8080/cb", nil},
		{"allowed addr:port, mapped", Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:8080")}}, "http://[::ffff:127.0.0.1]:8080/cb", nil},
		{"allowed addr:port, localhost", Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:8080")}}, "http://localhost:8080/cb", nil},
		{"allowed addr:port, localhost other port", Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:8080")}}, "http://localhost:8081/cb", ErrRefused},
		{"port out of range", Guard{}, "http://hooks.example.com:65536/cb", ErrRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(tt.url)
			require.NoError(t, err)
			err = tt.guard.CheckURL(u)
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
	t.Run("nil", func(t *testing.T) {
		t.Parallel()
		require.ErrorIs(t, Guard{}.CheckURL(nil), ErrRefused)
	})
}

// TestGuardCheckURLMessage: the error says what the host reads as.
func TestGuardCheckURLMessage(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"http://0x7f.1:8080/cb":   `host "0x7f.1" reads as 127.0.0.1: netguard: refused: 127.0.0.1 is loopback (127.0.0.0/8)`,
		"http://localhost/cb":     `host "localhost" names loopback: netguard: refused: 127.0.0.1 is loopback (127.0.0.0/8)`,
		"http://1.2.3.4.5/cb":     `netguard: refused: host "1.2.3.4.5" is numeric but not an IPv4 address`,
		"http://[::1]:8080/cb":    `netguard: refused: ::1 is loopback (::1/128)`,
		"http://169.254.169.254/": `netguard: refused: 169.254.169.254 is cloud metadata (169.254.169.254/32)`,
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		require.EqualError(t, Guard{}.CheckURL(u), want)
	}
}

func TestParseInetAton(t *testing.T) {
	t.Parallel()
	tests := []struct {
		host            string
		want            string
		numeric, wantOK bool
	}{
		{"127.0.0.1", "127.0.0.1", true, true},
		{"2130706433", "127.0.0.1", true, true},
		{"0x7f000001", "127.0.0.1", true, true},
		{"017700000001", "127.0.0.1", true, true},
		{"0x7f.1", "127.0.0.1", true, true},
		{"127.1", "127.0.0.1", true, true},
		{"127.0.1", "127.0.0.1", true, true},
		{"0177.0.0.1", "127.0.0.1", true, true},
		{"0xA9.0xFE.0xA9.0xFE", "169.254.169.254", true, true},
		{"10.0x10203", "10.1.2.3", true, true},
		{"1.2.0x304", "1.2.3.4", true, true},
		{"0", "0.0.0.0", true, true},
		{"0xffffffff", "255.255.255.255", true, true},
		{"00000000000000000000127", "0.0.0.87", true, true},
		{"4294967296", "", true, false},
		{"1.16777216", "", true, false},
		{"1.2.65536", "", true, false},
		{"256.1", "", true, false},
		{"09", "", true, false},
		{"0x", "", true, false},
		{"0x1.0x", "", true, false},
		{"1.2.3.4.5", "", true, false},
		{"", "", false, false},
		{"1..2", "", false, false},
		{"1.2.3.", "", false, false},
		{"example.com", "", false, false},
		{"1e3", "", false, false},
		{"0b101", "", false, false},
		{"0o17", "", false, false},
		{"1_000", "", false, false},
		{"+1", "", false, false},
		{"-1", "", false, false},
		{"0x-1", "", false, false},
	}
	for _, tt := range tests {
		a, numeric, ok := parseInetAton(tt.host)
		require.Equal(t, tt.numeric, numeric, "%q numeric", tt.host)
		require.Equal(t, tt.wantOK, ok, "%q ok", tt.host)
		if tt.wantOK {
			require.Equal(t, tt.want, a.String(), tt.host)
		}
	}
}

// FuzzCheckURL: any URL text; CheckURL never panics, refuses only with
// ErrRefused, never quotes user info or query, and judges every numeric
// host by the address inet_aton reads.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{
		"http://127.0.0.1/", "https://hooks.example.com/cb?token=x", "http://2130706433/",
		"http://0x7f.1/", "http://017700000001/", "http://127.1:8080/", "http://localhost/",
		"http://a.localhost./", "http://[::ffff:127.0.0.1]/", "http://169.254.169.254/",
		"http://u:p@0x7f.1/?k=v", "http://1.2.3.4.5/", "http://0x/", "ftp://x/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		for _, g := range []Guard{{}, {AllowPrivate: true}} {
			err := g.CheckURL(u)
			if err == nil {
				continue
			}
			require.ErrorIs(t, err, ErrRefused)
			if u.User != nil && len(u.User.String()) > 2 {
				require.NotContains(t, err.Error(), u.User.String())
			}
			if len(u.RawQuery) > 2 && !strings.Contains(u.Host, u.RawQuery) {
				require.NotContains(t, err.Error(), u.RawQuery)
			}
		}
		host := strings.TrimSuffix(u.Hostname(), ".")
		if a, numeric, ok := parseInetAton(host); numeric && ok && (u.Scheme == "http" || u.Scheme == "https") && u.Port() == "" {
			p := uint16(80)
			if u.Scheme == "https" {
				p = 443
			}
			want := Guard{}.CheckAddrPort(netip.AddrPortFrom(a, p)) == nil
			require.Equal(t, want, Guard{}.CheckURL(u) == nil, "%q reads as %s", raw, a)
		}
	})
}

// TestGuardCheckURLRedacts: errors end up in logs; user info and query may
// carry credentials.
func TestGuardCheckURLRedacts(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"http://user:s3cret@127.0.0.1/cb?token=s3cret",
		"ftp://user:s3cret@hooks.example.com/cb?token=s3cret",
		"http://user:s3cret@hooks.example.com/cb?token=s3cret",
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		err = Guard{HTTPSOnly: true}.CheckURL(u)
		require.ErrorIs(t, err, ErrRefused)
		require.NotContains(t, err.Error(), "s3cret")
	}
}

// TestGuardCheckURLNoAlloc: CheckURL runs on every request, and a URL it
// allows costs no allocation. (Not parallel: AllocsPerRun.)
func TestGuardCheckURLNoAlloc(t *testing.T) {
	g := Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:8080")}}
	for _, raw := range []string{"https://hooks.example.com/cb?x=1", "https://8.8.8.8/cb", "http://127.0.0.1:8080/cb", "http://134744072/cb"} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		require.Zero(t, testing.AllocsPerRun(100, func() { _ = g.CheckURL(u) }), raw)
	}
}

// TestGuardCheckURLLongHost: an error quotes at most the start of a host.
func TestGuardCheckURLLongHost(t *testing.T) {
	t.Parallel()
	u := &url.URL{Scheme: "http", Host: strings.Repeat("1.", 5000) + "1"}
	err := Guard{}.CheckURL(u)
	require.ErrorIs(t, err, ErrRefused)
	require.Less(t, len(err.Error()), 200)
}
