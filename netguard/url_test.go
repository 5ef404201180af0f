package netguard

import (
	"net/netip"
	"net/url"
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
		{"localhost name", Guard{}, "http://localhost/cb", nil},
		{"decimal IPv4 name", Guard{}, "http://2130706433/cb", nil},
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
