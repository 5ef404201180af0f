package element_test

// TestBadInput runs element's catalogue of hostile inputs: the files in
// testdata/bad (see its README.md) and, below, the cases whose inputs are
// too large or not UTF-8 for a file.

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/casefile"
	"github.com/a12b7632/elementevents/internal/urltemplate"
	"github.com/a12b7632/elementevents/javatime"
)

// badT0 is the time a url case's template is expanded for.
var badT0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

var badSuite = &casefile.Suite{
	Files: []string{"instance.json", "url", "zone"},
	Is: map[string]error{
		"element.ErrSyntax":         element.ErrSyntax,
		"element.ErrInvalid":        element.ErrInvalid,
		"javatime.ErrPattern":       javatime.ErrPattern,
		"javatime.ErrZone":          javatime.ErrZone,
		"element.ErrPlaceholder":    element.ErrPlaceholder,
		"element.ErrLegacyURLs":     element.ErrLegacyURLs,
		"element.ErrUnknownElement": element.ErrUnknownElement,
	},
	As: []casefile.ErrType{
		casefile.TypeOf[*element.SyntaxError](),
		casefile.TypeOf[*element.ValidationError](),
		casefile.TypeOf[*element.Problem](),
	},
	Field: hasProblem,
}

// badInputsInGo are the cases whose inputs a file cannot hold.
func badInputsInGo() []*casefile.Case {
	const head = `{"element":{"key":"generic"},"configuration":`
	return []*casefile.Case{{
		Name:  "instance-bom",
		Why:   "a UTF-8 byte order mark before the object, as Windows editors save files",
		Files: map[string][]byte{"instance.json": []byte("\ufeff" + head + "{}}")},
		Want: casefile.Want{Is: []error{element.ErrSyntax}, As: []casefile.ErrType{casefile.TypeOf[*element.SyntaxError]()},
			Contains: []string{"line 1, column", "invalid character"}},
	}, {
		Name: "instance-deep-nesting",
		Why:  "100,000 nested arrays in a vendor key: must be refused by depth, not by a stack overflow",
		Files: map[string][]byte{"instance.json": []byte(head + `{"x":` +
			strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "}}")},
		Want: casefile.Want{Is: []error{element.ErrSyntax}, Contains: []string{"depth"}},
	}, {
		Name:  "instance-invalid-utf8-element-key",
		Why:   "invalid UTF-8 inside element.key (raw bytes, not an escape)",
		Files: map[string][]byte{"instance.json": []byte(`{"element":{"key":"woo` + "\xff\xfe" + `commercerest"},"configuration":{}}`)},
		Want:  casefile.Want{Is: []error{element.ErrUnknownElement}, Field: []string{"element.key"}},
	}, {
		Name: "instance-vendor-type-10mb",
		Why:  "a 10 MB event.vendor.type; the error must name the key without echoing ten megabytes",
		Files: map[string][]byte{"instance.json": []byte(head + `{"base.url":"https://api.example","event.vendor.type":"` +
			strings.Repeat("w", 10<<20) + `"}}`)},
		Want: casefile.Want{Is: []error{element.ErrInvalid}, Field: []string{"event.vendor.type"}},
	}, {
		Name:  "url-many-placeholders",
		Why:   "100,000 placeholders: compiling and expanding stay linear",
		Files: map[string][]byte{"url": []byte("/items?t=" + strings.Repeat("${epoch:s}", 100_000))},
		Want:  casefile.Want{OK: true},
	}, {
		Name:  "url-ten-mb-unknown",
		Why:   "a 10 MB unknown placeholder name; the error must name it without echoing it whole",
		Files: map[string][]byte{"url": []byte("/items?x=${" + strings.Repeat("a", 10<<20) + "}")},
		Want:  casefile.Want{Is: []error{element.ErrPlaceholder}},
	}}
}

// TestBadInput runs an instance.json case through element.Parse, which
// checks the rules too (when it passes, Validate must agree; the value is
// the instance ID), and a url case through the URL placeholder compiler (internal/urltemplate, which element checks resource URLs with) in the zone
// of its zone section (the value is the URL expanded for badT0).
func TestBadInput(t *testing.T) {
	badSuite.Run(t, badInputsInGo(), func(t *testing.T, c *casefile.Case) casefile.Outcome {
		if tmpl, ok := c.File("url"); ok {
			var loc *time.Location
			if z, ok := c.File("zone"); ok {
				var err error
				loc, err = javatime.LoadLocation(string(z))
				require.NoError(t, err, "the case's zone must load")
			}
			u, err := urltemplate.Compile(string(tmpl), loc)
			if err != nil {
				return casefile.Outcome{Err: err}
			}
			return casefile.Outcome{Value: new(u.Expand(badT0))}
		}
		body, ok := c.File("instance.json")
		require.True(t, ok, "a case gives an instance.json or a url section")
		inst, err := element.Parse(body)
		if err != nil {
			return casefile.Outcome{Err: err}
		}
		require.NoError(t, inst.Validate(), "%s\nParse accepted the body, but Validate did not", c.Why)
		return casefile.Outcome{Value: new(inst.ID)}
	})
}

// hasProblem reports whether the tree of err holds a *element.Problem at
// path. errors.As stops at the first one, so the tree is walked.
func hasProblem(err error, path string) bool {
	if p, ok := err.(*element.Problem); ok && p.Path == path {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if e := u.Unwrap(); e != nil {
			return hasProblem(e, path)
		}
	case interface{ Unwrap() []error }:
		return slices.ContainsFunc(u.Unwrap(), func(e error) bool { return hasProblem(e, path) })
	}
	return false
}
