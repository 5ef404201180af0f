package urltemplate

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func FuzzCompile(f *testing.F) {
	for _, p := range []string{"yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss'", "EEE, d MMM yyyy HH:mm:ss Z", "milliseconds"} {
		f.Add("/hubs/ecommerce/customers?where=date_modified_gmt>='${gmtDate:"+p+"}'", int64(994273736))
	}
	for _, raw := range []string{"/x/${date}", "/x?a=${epoch:us}&b=${milliseconds}", "${dateTimeZone:GMT+05:30:HH:mm}",
		"${DateTimeZone:America/New_York:yyyy}", "${", "$}{${}", "/a b/%zz?q=${epoch:s}"} {
		f.Add(raw, int64(-1))
	}
	f.Fuzz(func(t *testing.T, raw string, sec int64) {
		tmpl, err := Compile(raw, time.FixedZone("X", 3600))
		if err != nil {
			if !errors.Is(err, ErrPlaceholder) {
				t.Fatalf("Compile(%q) error %v does not wrap ErrPlaceholder", raw, err)
			}
			return
		}
		if tmpl.String() != raw {
			t.Fatalf("String() = %q, want %q", tmpl.String(), raw)
		}
		got := tmpl.Expand(time.Unix(sec, 0))
		if !strings.Contains(raw, "${") && got != raw {
			t.Fatalf("Expand changed %q to %q", raw, got)
		}
	})
}
