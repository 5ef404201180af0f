package javatime_test

// TestBadInput runs javatime's catalogue of hostile inputs: the files in
// testdata/bad (see its README.md) and, below, the cases whose inputs are
// too large or not printable text for a file.

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/casefile"
	"github.com/a12b7632/elementevents/javatime"
)

// badT0 is the time a layout case formats.
var badT0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

var badSuite = &casefile.Suite{
	Files: []string{"pattern", "zone", "text"},
	Is: map[string]error{
		"javatime.ErrPattern": javatime.ErrPattern,
		"javatime.ErrParse":   javatime.ErrParse,
		"javatime.ErrZone":    javatime.ErrZone,
	},
}

// badInputsInGo are the cases whose inputs a file cannot hold.
func badInputsInGo() []*casefile.Case {
	files := func(pattern, zone, text string) map[string][]byte {
		m := map[string][]byte{"pattern": []byte(pattern), "text": []byte(text)}
		if zone != "" {
			m["zone"] = []byte(zone)
		}
		return m
	}
	layout := func(pattern, zone string) map[string][]byte {
		m := files(pattern, zone, "")
		delete(m, "text")
		return m
	}
	return []*casefile.Case{{
		Name:  "layout-huge-literal",
		Why:   "a 1 MB quoted literal; the error-free path must stay linear",
		Files: layout("yyyy'"+strings.Repeat("x", 1<<20)+"'", ""),
		Want:  casefile.Want{OK: true},
	}, {
		Name: "layout-huge-width",
		Why: "a million y; Java pads the year to the count, and so does the Layout: the pattern compiles " +
			"and formats a million-digit year (no cap, as in Java)",
		Files: layout(strings.Repeat("y", 1_000_000), ""),
		Want:  casefile.Want{OK: true, Value: new(strings.Repeat("0", 999_996) + "2026")},
	}, {
		Name:  "layout-nul-literal",
		Why:   "a NUL byte between fields is a literal character, as in Java; the pattern compiles and formats it back",
		Files: layout("yyyy\x00MM", ""),
		Want:  casefile.Want{OK: true, Value: new("2026\x0011")},
	}, {
		Name:  "layout-zone-nul",
		Why:   "a NUL byte inside a zone name",
		Files: layout("yyyy-MM-dd", "America/New_York\x00"),
		Want:  casefile.Want{Is: []error{javatime.ErrZone}},
	}, {
		Name:  "parse-million-fraction-digits",
		Why:   "a million fraction digits; digits past the ninth are read and ignored, in linear time",
		Files: files("yyyy-MM-dd'T'HH:mm:ss.SSS", "GMT", "2026-11-24T12:00:00."+strings.Repeat("9", 1_000_000)),
		Want:  casefile.Want{OK: true, Value: new("2026-11-24T12:00:00.999999999Z")},
	}, {
		Name:  "parse-nul-inside",
		Why:   "a NUL byte where the T should be",
		Files: files("yyyy-MM-dd'T'HH:mm:ss", "GMT", "2026-11-24\x0012:00:00"),
		Want:  casefile.Want{Is: []error{javatime.ErrParse}},
	}, {
		Name:  "parse-ten-mb-value",
		Why:   "a 10 MB value that does not match; the error must not echo it",
		Files: files("yyyy-MM-dd", "", "2026-11-24"+strings.Repeat("x", 10<<20)),
		Want:  casefile.Want{Is: []error{javatime.ErrParse}},
	}, {
		Name:  "parse-trailing-invalid-utf8",
		Why:   "invalid UTF-8 after a complete date",
		Files: files("yyyy-MM-dd'T'HH:mm:ss", "GMT", "2026-11-24T12:00:00\xff\xfe"),
		Want:  casefile.Want{Is: []error{javatime.ErrParse}},
	}}
}

// TestBadInput compiles a case's pattern for its zone (none: UTC) with
// NewLayout. A case without a text section checks that; its value is
// badT0 formatted. A case with one needs the pattern to compile and
// parses the text; its value is the time read, RFC 3339 in UTC.
func TestBadInput(t *testing.T) {
	badSuite.Run(t, badInputsInGo(), func(t *testing.T, c *casefile.Case) casefile.Outcome {
		l, err := javatime.NewLayout(string(c.Files["pattern"]), string(c.Files["zone"]))
		text, parse := c.File("text")
		if !parse {
			if err != nil {
				return casefile.Outcome{Err: err}
			}
			return casefile.Outcome{Value: new(l.Format(badT0))}
		}
		require.NoError(t, err, "the case's pattern must compile")
		tm, err := l.Parse(string(text))
		if err != nil {
			return casefile.Outcome{Err: err}
		}
		return casefile.Outcome{Value: new(tm.UTC().Format(time.RFC3339Nano))}
	})
}
