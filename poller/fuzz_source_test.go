package poller

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/retryafter"
)

func TestParseLinkHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		values   []string
		want     []linkValue
		wantNext string
	}{
		{
			name:     "github style",
			values:   []string{`<https://api.example.com/r?page=2>; rel="next", <https://api.example.com/r?page=5>; rel="last"`},
			want:     []linkValue{{"https://api.example.com/r?page=2", []string{"next"}}, {"https://api.example.com/r?page=5", []string{"last"}}},
			wantNext: "https://api.example.com/r?page=2",
		},
		{
			name:     "bare rel, upper case",
			values:   []string{`</r?page=2>; REL=Next`},
			want:     []linkValue{{"/r?page=2", []string{"next"}}},
			wantNext: "/r?page=2",
		},
		{
			name:     "several rel values",
			values:   []string{`</r?page=9>;rel="last next"`},
			want:     []linkValue{{"/r?page=9", []string{"last", "next"}}},
			wantNext: "/r?page=9",
		},
		{
			name:     "several fields",
			values:   []string{`</a>; rel=prev`, `</b>; rel=next`},
			want:     []linkValue{{"/a", []string{"prev"}}, {"/b", []string{"next"}}},
			wantNext: "/b",
		},
		{
			name:     "comma and semicolon inside a quoted parameter",
			values:   []string{`</a>; title="x, y; rel=next"; rel="prev", </b>; rel="next"`},
			want:     []linkValue{{"/a", []string{"prev"}}, {"/b", []string{"next"}}},
			wantNext: "/b",
		},
		{
			name:     "only the first rel counts",
			values:   []string{`</a>; rel=prev; rel=next`},
			want:     []linkValue{{"/a", []string{"prev"}}},
			wantNext: "",
		},
		{
			name:     "escaped quote",
			values:   []string{`</a>; title="say \"hi\""; rel="next"`},
			want:     []linkValue{{"/a", []string{"next"}}},
			wantNext: "/a",
		},
		{
			name:     "malformed value skipped",
			values:   []string{`junk; rel=next, </b>; rel=next`},
			want:     []linkValue{{"/b", []string{"next"}}},
			wantNext: "/b",
		},
		{
			name:     "empty target is not a next page",
			values:   []string{`<>; rel=next`},
			want:     []linkValue{{"", []string{"next"}}},
			wantNext: "",
		},
		{
			name:     "unterminated target",
			values:   []string{`</a; rel=next`},
			wantNext: "",
		},
		{name: "empty", values: []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := parseLinkHeader(tt.values)
			require.Empty(t, cmp.Diff(tt.want, got, cmp.AllowUnexported(linkValue{})))
			require.Equal(t, tt.wantNext, nextLink(tt.values))
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"0", 0, true},
		{"  120 ", 2 * time.Minute, true},
		{"Tue, 24 Nov 2026 12:01:00 GMT", time.Minute, true},
		{"Tuesday, 24-Nov-26 12:01:00 GMT", time.Minute, true}, // RFC 850
		{"Tue Nov 24 12:01:00 2026", time.Minute, true},        // asctime
		{"Tue, 24 Nov 2026 11:00:00 GMT", 0, true},             // past
		{"99999999999999999999999", 1<<63 - 1, true},           // capped by the policy
		{"-5", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := retryafter.Parse(tt.in, now)
		require.Equal(t, tt.wantOK, ok, tt.in)
		require.Equal(t, tt.want, got, tt.in)
	}
}

func TestRetryPolicyBackoff(t *testing.T) {
	t.Parallel()
	p := DefaultRetryPolicy
	for n, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		require.Equal(t, want, p.backoff(n+1, 0.5), "no jitter at the middle")
		require.Equal(t, time.Duration(float64(want)*0.8), p.backoff(n+1, 0), "-20%")
		require.InDelta(t, float64(want)*1.2, float64(p.backoff(n+1, 0.9999999999)), float64(time.Microsecond), "+20%")
	}
	require.Equal(t, 10*time.Minute, p.backoff(200, 0.5), "capped, without overflow")

	require.Equal(t, DefaultRetryPolicy, RetryPolicy{}.withDefaults())
	require.Equal(t, RetryPolicy{Tries: 1, Initial: time.Second, Factor: 2, Max: 10 * time.Minute},
		RetryPolicy{Tries: 1}.withDefaults(), "zero Jitter in a set policy means none")
}

func FuzzParseLinkHeader(f *testing.F) {
	for _, s := range []string{
		`<https://api.example.com/r?page=2>; rel="next", <https://api.example.com/r?page=5>; rel="last"`,
		`</r?page=2>; REL=Next`,
		`</a>; title="x, y; rel=next"; rel="prev", </b>; rel="next"`,
		`</a>; title="say \"hi\""; rel="next"`,
		`junk; rel=next, </b>; rel=next`,
		`<`, `"`, `;`, `,,,`, `<a>;rel`, `<a>; rel="`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		links := parseLinkHeader([]string{s})
		for _, l := range links {
			if strings.Contains(l.target, ">") {
				t.Fatalf("target %q holds '>'", l.target)
			}
			if !strings.Contains(s, l.target) {
				t.Fatalf("target %q is not in the input", l.target)
			}
			for _, r := range l.rels {
				if r == "" || r != strings.ToLower(r) || strings.ContainsAny(r, " \t") {
					t.Fatalf("bad rel %q", r)
				}
			}
		}
		next := nextLink([]string{s})
		if next != "" && !strings.Contains(s, next) {
			t.Fatalf("next %q is not in the input", next)
		}
		// Fields are independent: two copies give twice the links.
		if len(parseLinkHeader([]string{s, s})) != 2*len(links) {
			t.Fatalf("two copies of %q do not give twice the links", s)
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for _, s := range []string{"0", "120", "Tue, 24 Nov 2026 12:01:00 GMT", "Tuesday, 24-Nov-26 12:01:00 GMT",
		"Tue Nov 24 12:01:00 2026", "-1", "1e3", "99999999999999999999", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := retryafter.Parse(s, now)
		if !ok {
			if d != 0 {
				t.Fatalf("%q: not ok but %s", s, d)
			}
			return
		}
		if d < 0 {
			t.Fatalf("%q: negative wait %s", s, d)
		}
		// A date wait ends at the date (unless it is centuries away and
		// time.Time.Sub saturated).
		if when, err := http.ParseTime(strings.TrimSpace(s)); err == nil && d > 0 && d < 100*365*24*time.Hour {
			if !now.Add(d).Equal(when) {
				t.Fatalf("%q: wait %s does not end at the date", s, d)
			}
		}
	})
}
