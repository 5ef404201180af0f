package urltemplate_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/urltemplate"
	"github.com/a12b7632/elementevents/javatime"
)

func TestExpand(t *testing.T) {
	t.Parallel()
	// 2026-11-24 13:45:07.123456 UTC: 05:45 in Los Angeles.
	at := time.Date(2026, 11, 24, 13, 45, 7, 123_456_000, time.UTC)
	la, err := javatime.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	tests := []struct {
		name, raw string
		zone      *time.Location
		want      string
	}{
		{
			"WooCommerce", "/hubs/ecommerce/customers?where=date_modified_gmt>='${gmtDate:yyyy-MM-dd'T'HH:mm:ss}'", la,
			"/hubs/ecommerce/customers?where=date_modified_gmt>='2026-11-24T13%3A45%3A07'",
		},
		{"gmtDate in the path", "/since/${gmtDate:yyyy-MM-dd HH:mm z}/orders", la, "/since/2026-11-24%2013:45%20GMT/orders"},
		{"date in the configured zone", "/x?d=${date:yyyy-MM-dd HH:mm z}", la, "/x?d=2026-11-24+05%3A45+PST"},
		{"date with no zone is UTC", "/x?d=${date:HH:mm}", nil, "/x?d=13%3A45"},
		{"bare date", "/x/${date}", nil, "/x/2026-11-24T13:45:07.123Z"},
		{"bare date in zone and query", "/x?since=${date}", la, "/x?since=2026-11-24T05%3A45%3A07.123-08%3A00"},
		{"dateTimeZone", "/x?d=${dateTimeZone:Asia/Tokyo:yyyy-MM-dd'T'HH:mm}", nil, "/x?d=2026-11-24T22%3A45"},
		{"DateTimeZone", "/x/${DateTimeZone:PST:HH:mm}", nil, "/x/05:45"},
		{"zone with a colon", "/x/${dateTimeZone:GMT+05:30:HH:mm}", nil, "/x/19:15"},
		{"offset zone with a colon", "/x/${dateTimeZone:-03:30:HH:mm}", nil, "/x/10:15"},
		{"epoch", "/x?since=${epoch}", nil, "/x?since=1795527907123"},
		{"epoch:ms", "/x?since=${epoch:ms}", nil, "/x?since=1795527907123"},
		{"epoch:s", "/x?since=${epoch:s}", nil, "/x?since=1795527907"},
		{"epoch:us", "/x?since=${epoch:us}", nil, "/x?since=1795527907123456"},
		{"milliseconds", "/x?since=${milliseconds}", nil, "/x?since=1795527907123"},
		{"milliseconds pattern", "/x?since=${gmtDate:milliseconds}", nil, "/x?since=1795527907123"},
		{"several", "/a/${epoch:s}/b?from=${gmtDate:yyyy}&to=${epoch:s}", nil, "/a/1795527907/b?from=2026&to=1795527907"},
		{"question mark in a pattern is not the query", "/${gmtDate:yyyy'?'}/${gmtDate:HH:mm}", nil, "/2026%3F/13:45"},
		{"no placeholders", "/x?a=b&c={d}&e=$f", nil, "/x?a=b&c={d}&e=$f"},
		{"dollar without brace", "/x/$${epoch:s}", nil, "/x/$1795527907"},
		{"empty", "", nil, ""},
		{"text kept as written", "/a b/%zz?q=a b&${epoch:s}", nil, "/a b/%zz?q=a b&1795527907"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmpl, err := urltemplate.Compile(tt.raw, tt.zone)
			require.NoError(t, err)
			require.Equal(t, tt.want, tmpl.Expand(at))
			require.Equal(t, tt.raw, tmpl.String())
		})
	}
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw string
		wantErrs  []error
		wantMsg   string
	}{
		{"unknown", "/x?since=${since}", nil, "${since} at position 9: unknown placeholder"},
		{"empty", "/x/${}", nil, "${} at position 3: unknown placeholder"},
		{"unterminated", "/x?since=${gmtDate:yyyy", nil, `unterminated "${" at position 9`},
		{
			"WooCommerce stray quote", "/c?where=d>='${gmtDate:yyyy-MM-dd'T'HH:mm:ss'}'",
			[]error{javatime.ErrPattern}, "${gmtDate:yyyy-MM-dd'T'HH:mm:ss'} at position 13: javatime: invalid pattern: unterminated quote at position 21",
		},
		{"unknown letter", "/x/${date:yyyy-MM-ddTHH}", []error{javatime.ErrPattern}, "unknown pattern letter 'T'"},
		{"gmtDate without format", "/x/${gmtDate}", nil, "want ${gmtDate:FORMAT}"},
		{"empty format", "/x/${gmtDate:}", []error{javatime.ErrPattern}, "empty pattern"},
		{"format without fields", "/x/${gmtDate:'now'}", []error{javatime.ErrPattern}, "has no date fields"},
		{"unknown zone", "/x/${dateTimeZone:Mars/Base:yyyy}", []error{javatime.ErrZone}, `"Mars/Base"`},
		{"dateTimeZone without format", "/x/${dateTimeZone:UTC}", nil, "want ${dateTimeZone:ZONE:FORMAT}"},
		{"dateTimeZone offset without format", "/x/${dateTimeZone:GMT+05:30}", []error{javatime.ErrPattern}, `pattern "30" has no date fields`},
		{"dateTimeZone with an empty zone", "/x/${dateTimeZone::yyyy}", nil, "want ${dateTimeZone:ZONE:FORMAT}"},
		{"epoch unit", "/x/${epoch:ns}", nil, `unknown epoch unit "ns"`},
		{"milliseconds argument", "/x/${milliseconds:s}", nil, "takes no argument"},
		{"case matters", "/x/${Epoch}", nil, "unknown placeholder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmpl, err := urltemplate.Compile(tt.raw, nil)
			require.ErrorIs(t, err, urltemplate.ErrPlaceholder)
			for _, want := range tt.wantErrs {
				require.ErrorIs(t, err, want)
			}
			require.ErrorContains(t, err, tt.wantMsg)
			require.Nil(t, tmpl)
		})
	}
}
