// Package casefile runs a package's catalogue of hostile inputs: one
// txtar file a case under the package's testdata/bad, plus the cases
// whose inputs are too large, binary or invalid UTF-8 for a file, written
// in Go next to the runner. Every case must end in its expected clear
// error or HTTP status, never panic, leave no goroutine behind, keep the
// Suite's secrets out of every error, log line and answer, and make no
// error or answer longer than 4 KiB (one that echoes a large input is not
// a clear error).
//
//	func TestBadInput(t *testing.T) {
//		s := &casefile.Suite{Files: []string{"pattern"}, Is: map[string]error{"x.ErrPattern": x.ErrPattern}}
//		s.Run(t, bigCases, func(t *testing.T, c *casefile.Case) casefile.Outcome {
//			_, err := x.Compile(string(c.Files["pattern"]))
//			return casefile.Outcome{Err: err}
//		})
//	}
//
// # Format
//
// A case file is a txtar archive. Its comment holds plain "key: value"
// lines (a line starting with # is a remark); file sections, each opened by
// a line "-- name --", hold the inputs byte for byte, less the newline
// that ends a section's last line:
//
//	why: a signed body cut off in the middle
//	sign: woo
//	want.status: 400
//	want.is: webhook.ErrBadBody
//	want.events: 0
//	-- headers --
//	X-WC-Webhook-Topic: customer.updated
//	-- body --
//	{"id": 42, "date_modified_gmt": "2026-11-24T11:00
//
// Keys:
//
//   - why (required): what makes the input hostile.
//   - skip: "bug: ..." keeps a case that exposes a bug, skipped until the
//     bug is fixed; remove the line to check the fix.
//   - want.ok: true: no error. want.is: a sentinel such as
//     element.ErrSyntax (errors.Is). want.as: an error type such as
//     *element.SyntaxError (errors.As). want.contains: a substring of the
//     error. want.field: a problem at that config path. want.status: the
//     HTTP status. want.body: a substring of the HTTP answer. want.log: a
//     substring of a log line. want.events: events published or
//     notifications handled. want.value: the runner's result value, as
//     text. want.is, want.as, want.contains, want.field, want.body and
//     want.log may repeat.
//   - Any other key is a setting of the package's runner (sign, path,
//     via, ...), listed in its testdata/bad/README.md. An unknown key or
//     section is an error, so that a typo fails instead of weakening a case.
//
// A "headers" section holds "Name: value" lines; a name may repeat.
//
// Values are taken as written: there is no escape and no expression. An
// input that cannot be written so (megabytes, NUL bytes, invalid UTF-8, an
// invisible byte order mark) is a Case in the package's Go table, built
// with strings.Repeat and the like, and checked the same way.
package casefile
