package element

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// testLookup returns a configuration lookup over m.
func testLookup(m map[string]string) func(string) (string, bool) {
	return func(key string) (string, bool) {
		v, ok := m[key]
		return v, ok
	}
}

func TestExpandTemplate(t *testing.T) {
	t.Parallel()
	config := map[string]string{
		"store.url": "https://shop.example",
		"slashed":   "https://shop.example/",
		"slashes":   "https://shop.example//",
		"spaced":    "  https://shop.example  ",
		"shop":      "demo",
		"blank":     "   ",
	}
	tests := []struct {
		name    string
		tmpl    string
		want    string
		wantErr error
		wantMsg string
	}{
		{name: "reference", tmpl: "{store.url}/wp-json/wc/v3", want: "https://shop.example/wp-json/wc/v3"},
		{name: "trailing slash not doubled", tmpl: "{slashed}/wp-json/wc/v3", want: "https://shop.example/wp-json/wc/v3"},
		{name: "trailing slashes not doubled", tmpl: "{slashes}/api", want: "https://shop.example/api"},
		{name: "trailing slash kept at end", tmpl: "{slashed}", want: "https://shop.example/"},
		{name: "trailing slash kept before text", tmpl: "{slashed}api", want: "https://shop.example/api"},
		{name: "spaces trimmed", tmpl: "{spaced}/api", want: "https://shop.example/api"},
		{name: "inside host", tmpl: "https://{shop}.example.com/admin", want: "https://demo.example.com/admin"},
		{name: "several", tmpl: "{store.url}/{shop}/{shop}", want: "https://shop.example/demo/demo"},
		{name: "no references", tmpl: "https://api.example.com", want: "https://api.example.com"},
		{name: "empty", tmpl: "", want: ""},
		{name: "time placeholders kept", tmpl: "{store.url}/x?since=${gmtDate:yyyy-MM-dd}&e=${epoch}", want: "https://shop.example/x?since=${gmtDate:yyyy-MM-dd}&e=${epoch}"},
		{name: "missing key", tmpl: "{nope}/api", wantErr: ErrInvalid, wantMsg: `nope: is missing; the template "{nope}/api" needs it`},
		{name: "blank value", tmpl: "{blank}/api", wantErr: ErrInvalid, wantMsg: `blank: is missing`},
		{name: "unterminated", tmpl: "{store.url/api", wantErr: ErrPlaceholder, wantMsg: "unterminated { at offset 0"},
		{name: "unterminated time placeholder", tmpl: "x${epoch", wantErr: ErrPlaceholder, wantMsg: "unterminated ${ at offset 1"},
		{name: "empty name", tmpl: "{}/api", wantErr: ErrPlaceholder, wantMsg: "bad reference {}"},
		{name: "bad name", tmpl: "{a b}", wantErr: ErrPlaceholder, wantMsg: "bad reference {a b}"},
		{name: "stray close", tmpl: "https://x}", wantErr: ErrPlaceholder, wantMsg: "stray } at offset 9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := expandTemplate(tt.tmpl, testLookup(config))
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				require.ErrorContains(t, err, tt.wantMsg)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

// FuzzExpandTemplate checks that ExpandTemplate never panics, fails only
// with ErrPlaceholder or ErrInvalid, leaves templates without braces
// unchanged, and keeps ${...} placeholders.
func FuzzExpandTemplate(f *testing.F) {
	for _, s := range [][2]string{
		{"{store.url}/wp-json/wc/v3", "https://shop.example/"},
		{"https://{shop}.example.com/x", "demo"},
		{"{a}{b}/${gmtDate:yyyy-MM-dd}", "v"},
		{"{", ""}, {"}", ""}, {"${", ""}, {"{}", "x"}, {"{a b}", "x"}, {"{a}/", "///"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, tmpl, value string) {
		got, err := expandTemplate(tmpl, func(key string) (string, bool) {
			if key == "missing" {
				return "", false
			}
			return value, true
		})
		if err != nil {
			if !errors.Is(err, ErrPlaceholder) && !errors.Is(err, ErrInvalid) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if !strings.ContainsAny(tmpl, "{}") && got != tmpl {
			t.Fatalf("template without references changed: %q -> %q", tmpl, got)
		}
		if !strings.ContainsAny(value, "{}$") && strings.Count(got, "${") != strings.Count(tmpl, "${") {
			t.Fatalf("time placeholders not kept: %q -> %q", tmpl, got)
		}
	})
}
