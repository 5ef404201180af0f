package netguard_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/netguard"
)

func TestRedactURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://user:pw@example.com:8443/a/b?token=x#frag": "https://example.com:8443/a/b?token=REDACTED",
		"http://example.com": "http://example.com",
		"https://hooks.example.com/cb?tenant=7&pass=TOPSECRET3":       "https://hooks.example.com/cb?tenant=7&pass=REDACTED",
		"https://hooks.example.com/cb?PWD=TOPSECRET4&Session_Id=abcd": "https://hooks.example.com/cb?PWD=REDACTED&Session_Id=REDACTED",
		"://bad": "(unparseable URL)",
	} {
		require.Equal(t, want, netguard.RedactURL(in), in)
	}
}
