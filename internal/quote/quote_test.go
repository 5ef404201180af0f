package quote_test

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/quote"
)

func TestString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", `""`},
		{"short", "polling", `"polling"`},
		{"exactly Max", strings.Repeat("a", quote.Max), strconv.Quote(strings.Repeat("a", quote.Max))},
		{"one over Max", strings.Repeat("a", quote.Max+1), strconv.Quote(strings.Repeat("a", quote.Max)) + "…(65 bytes)"},
		{"10 MB", strings.Repeat("w", 10<<20), strconv.Quote(strings.Repeat("w", quote.Max)) + "…(10485760 bytes)"},
		{"control characters escaped", "a\x00b\nc", `"a\x00b\nc"`},
		// 63 ASCII bytes then "é" (2 bytes): byte 64 is inside the é, so
		// the cut comes before it.
		{"rune not split", strings.Repeat("a", 63) + "éé", strconv.Quote(strings.Repeat("a", 63)) + "…(67 bytes)"},
		{"invalid UTF-8 cut at Max", strings.Repeat("\xff", 100), strconv.Quote(strings.Repeat("\xff", quote.Max)) + "…(100 bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, quote.String(tt.in))
		})
	}
}

func TestCut(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"short unchanged", "/events/woo/1", "/events/woo/1"},
		{"exactly Max unchanged", strings.Repeat("9", quote.Max), strings.Repeat("9", quote.Max)},
		{"long cut", strings.Repeat("9", 1000), strings.Repeat("9", quote.Max) + "…(1000 bytes)"},
		{"rune not split", strings.Repeat("a", 62) + "€x", strings.Repeat("a", 62) + "…(66 bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := quote.Cut(tt.in)
			require.Equal(t, tt.want, got)
			require.True(t, utf8.ValidString(got))
		})
	}
}

func TestCutN(t *testing.T) {
	t.Parallel()
	key := "event.poller.configuration.items.datesConfiguration.createdDateFormat"
	require.Equal(t, key, quote.CutN(key, 256), "a usual key is shown whole")
	long := "event.poller.configuration." + strings.Repeat("r", 10<<20) + ".url"
	got := quote.CutN(long, 256)
	require.Equal(t, long[:256]+"…(10485791 bytes)", got)
	require.Equal(t, "ab…(3 bytes)", quote.CutN("abc", 2))
}
