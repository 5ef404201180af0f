package rawquery_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/rawquery"
)

func TestEdits(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, got, want string }{
		{"set replaces the first, drops the others", rawquery.Set("a=1&page=1&b=%3A&page=7", "page", "2"), "a=1&page=2&b=%3A"},
		{"set appends", rawquery.Set("a=1", "per_page", "10"), "a=1&per_page=10"},
		{"set escapes", rawquery.Set("", "x", "a b"), "x=a+b"},
		{"set keeps the order and escapes of others", rawquery.Set("z=%2F&a=${x}", "m", "1"), "z=%2F&a=${x}&m=1"},
		{"delete func reads escaped names", rawquery.DeleteFunc("api%5Fkey=s&a=1&api_key=t", func(n string) bool { return n == "api_key" }), "a=1"},
		{"delete func", rawquery.DeleteFunc("oauth_nonce=1&a=2&oauth_signature=3", func(n string) bool { return strings.HasPrefix(n, "oauth_") }), "a=2"},
		{"delete func keeps q when nothing goes", rawquery.DeleteFunc("b=1&&a=2", func(string) bool { return false }), "b=1&&a=2"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.got, tt.name)
	}
}
