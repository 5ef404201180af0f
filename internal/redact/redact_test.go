package redact_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/redact"
)

func TestString(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://user:pw@example.com:8443/a/b?token=x#frag", "https://example.com:8443/a/b?token=REDACTED"},
		{"http://example.com", "http://example.com"},
		{"https://shop.example/api?page=2&per_page=10", "https://shop.example/api?page=2&per_page=10"},
		{"https://shop.example/api?page=2&pass=TOPSECRET3", "https://shop.example/api?page=2&pass=REDACTED"},
		{"https://shop.example/api?pwd=TOPSECRET4&x=1", "https://shop.example/api?pwd=REDACTED&x=1"},
		{"https://shop.example/api?PASSWORD=a&Api_Key=b&client_secret=c&access_token=d", "https://shop.example/api?PASSWORD=REDACTED&Api_Key=REDACTED&client_secret=REDACTED&access_token=REDACTED"},
		{"https://shop.example/api?sig=a&signature=b&oauth_nonce=c&Authorization=d", "https://shop.example/api?sig=REDACTED&signature=REDACTED&oauth_nonce=REDACTED&Authorization=REDACTED"},
		{"https://shop.example/api?credentials=a&session_id=b&SID=c&code=d&jwt=e", "https://shop.example/api?credentials=REDACTED&session_id=REDACTED&SID=REDACTED&code=REDACTED&jwt=REDACTED"},
		{"https://shop.example/api?p%61ss=TOPSECRET5", "https://shop.example/api?p%61ss=REDACTED"},
		{"https://shop.example/api?TOPSECRET6&page=1", "https://shop.example/api?REDACTED&page=1"},
		{"https://shop.example/api?pass=a&pass=b", "https://shop.example/api?pass=REDACTED&pass=REDACTED"},
		{"https://shop.example/api?zip=12&codes=1", "https://shop.example/api?zip=12&codes=1"},
		{"://bad", "(unparseable URL)"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, redact.String(tt.in), tt.in)
	}
}

func TestURLAlso(t *testing.T) {
	t.Parallel()
	u, err := url.Parse("https://shop.example/api?consumer=ck_x&page=2")
	require.NoError(t, err)
	before := *u
	got := redact.URL(u, func(name string) bool { return name == "consumer" })
	require.Equal(t, "https://shop.example/api?consumer=REDACTED&page=2", got)
	require.Equal(t, before, *u, "u is not modified")
}

// FuzzString: whatever the URL, a value given to a secret-looking
// parameter, and the user info, never survive redaction.
func FuzzString(f *testing.F) {
	f.Add("https://u:p@example.com/a?pass=", "TOPSECRET")
	f.Add("http://example.com/?x=1&Api-Key=", "k3y")
	f.Fuzz(func(t *testing.T, prefix, secret string) {
		if len(secret) < 6 || strings.ContainsAny(secret, "&#%+ ") || !strings.HasSuffix(prefix, "=") ||
			strings.Contains(prefix, url.QueryEscape(secret)) || strings.Contains(prefix, base64.StdEncoding.EncodeToString([]byte(secret))) {
			return
		}
		raw := prefix + url.QueryEscape(secret)
		u, err := url.Parse(raw)
		if err != nil || u.Fragment != "" || u.RawQuery == "" {
			return
		}
		last := u.RawQuery[strings.LastIndexByte(u.RawQuery, '&')+1:]
		name, _, _ := strings.Cut(last, "=")
		if n, err := url.QueryUnescape(name); err != nil || !redact.SecretName(n) {
			return
		}
		got := redact.String(raw)
		require.NotContains(t, got, url.QueryEscape(secret))
		require.NotContains(t, got, base64.StdEncoding.EncodeToString([]byte(secret)))
		if u.User != nil && u.User.String() != "" {
			require.NotContains(t, got, u.User.String()+"@")
		}
	})
}
