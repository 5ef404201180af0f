package poller

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSameOrigin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"https://api.example/a", "https://api.example/b?x=1", true},
		{"https://API.Example/a", "https://api.example/b", true},
		{"https://api.example:443/a", "https://api.example/b", true},
		{"http://api.example:80/a", "http://api.example/b", true},
		{"https://api.example/a", "http://api.example/a", false},
		{"http://api.example:443/a", "https://api.example/a", false},
		{"https://api.example:8443/a", "https://api.example/a", false},
		{"https://api.example.evil/a", "https://api.example/a", false},
		{"https://user@evil.example/a", "https://api.example/a", false},
		{"http://[::1]:8080/a", "http://[::1]:8080/b", true},
		{"http://[::1]:8080/a", "http://127.0.0.1:8080/b", false},
	}
	for _, tt := range tests {
		t.Run(tt.a+" "+tt.b, func(t *testing.T) {
			t.Parallel()
			a, err := url.Parse(tt.a)
			require.NoError(t, err)
			b, err := url.Parse(tt.b)
			require.NoError(t, err)
			require.Equal(t, tt.want, sameOrigin(a, b))
			require.Equal(t, tt.want, sameOrigin(b, a))
		})
	}
}
