package vendorauth

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzBaseString feeds raw queries and paths to the encoder and the base
// string: no panics; the encoding uses only unreserved bytes and %XX and
// decodes back; a query that decodes, encoded again, decodes to the same
// parameters and gives the same base string.
func FuzzBaseString(f *testing.F) {
	for _, s := range []string{"", "a=1&b=2", "b5=%3D%253D&a3=a&c%40=&a2=r%20b", "a&&b=", "q=a+b%2Bc", "%zz", "é=ü", "a=%"} {
		f.Add(s, "/p")
	}
	f.Fuzz(func(t *testing.T, raw, path string) {
		enc := percentEncode(raw)
		for i := 0; i < len(enc); i++ {
			if c := enc[i]; !unreserved(c) && c != '%' {
				t.Fatalf("percentEncode(%q) = %q: byte %q left unencoded", raw, enc, c)
			}
		}
		if dec, err := url.PathUnescape(enc); err != nil || dec != raw {
			t.Fatalf("percentEncode(%q) = %q decodes to %q, %v", raw, enc, dec, err)
		}
		u := &url.URL{Scheme: "http", Host: "a.example", Path: path, RawQuery: raw}
		base, err := baseString("GET", u, nil)
		if err != nil {
			return
		}
		if strings.Count(base, "&") != 2 {
			t.Fatalf("base string %q has other than three parts", base)
		}
		ps, _ := queryParams(raw)
		again := appendParams("", ps)
		ps2, err := queryParams(again)
		if err != nil || len(ps2) != len(ps) {
			t.Fatalf("re-encoded %q as %q: %v, %d params, want %d", raw, again, err, len(ps2), len(ps))
		}
		for i := range ps {
			if ps[i] != ps2[i] {
				t.Fatalf("param %d: %q became %q", i, ps[i], ps2[i])
			}
		}
		u.RawQuery = again
		if base2, _ := baseString("GET", u, nil); base2 != base {
			t.Fatalf("base string of %q is %q, of %q is %q", raw, base, again, base2)
		}
	})
}
