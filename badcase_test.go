package elementevents_test

// The format of the bad-input case files in testdata/bad (see
// testdata/bad/README.md): directives, one a line, then an optional body
// after a line "---".

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// badCase is one parsed case file.
type badCase struct {
	name   string // path under testdata/bad, without ".case"
	target string // the directory: instance, dateformat, date, url, vendor, handler, receiver
	why    string // what makes the input hostile

	// Inputs. Values written as expressions (see evalExpr) are evaluated.
	body    []byte
	hasBody bool
	params  map[string][]byte // pattern, zone, sign.id, sign.timestamp, ...
	headers []badHeader       // request headers (handler, receiver) or response headers (vendor)
	opts    map[string]string // plain options: method, path, sign, via, resource, ...

	// Expectations.
	wantOK       bool
	wantIs       []string // names in badSentinels
	wantAs       []string // names in badTypes
	wantContains []string // substrings of the error text
	wantField    []string // paths of *element.Problem in the error tree
	wantStatus   int      // HTTP status; 0 when not an HTTP case
	wantBody     []string // substrings of the HTTP answer
	wantLog      []string // substrings of a logged message
	wantEvents   int      // events published; -1 when not checked
	wantValue    []byte   // the target's result value (see each runner)
	hasValue     bool

	skip string // "bug: ..." keeps the case but skips it
}

// badHeader is one header line: a canonical name and an evaluated value.
type badHeader struct {
	name  string
	value []byte
}

// maxExprBytes bounds what one expression may generate, so that a typo in
// a repeat count cannot eat the machine.
const maxExprBytes = 64 << 20

// exprKeys are the directives whose values are expressions.
var exprKeys = []string{"pattern", "zone", "sign.id", "sign.timestamp", "instance-id"}

// plainKeys are the directives whose values are taken as written.
var plainKeys = []string{"method", "path", "sign", "via", "resource", "pagination", "auth", "vendor.status", "max-page-bytes", "max-body-bytes", "allow-elements-scheme"}

// parseBadCase reads a case file. Every directive must be known, so a typo
// in a case fails the test instead of silently weakening it.
func parseBadCase(name, target string, data []byte) (*badCase, error) {
	c := &badCase{name: name, target: target, params: map[string][]byte{}, opts: map[string]string{}, wantEvents: -1}
	head, body, hasBody := bytes.Cut(data, []byte("\n---\n"))
	if !hasBody && bytes.HasSuffix(data, []byte("\n---")) {
		head, hasBody = data[:len(data)-4], true
	}
	if hasBody {
		c.body, c.hasBody = bytes.TrimSuffix(body, []byte("\n")), true
	}
	sc := bufio.NewScanner(bytes.NewReader(head))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("line %d: want \"key: value\", got %q", n, line)
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if err := c.set(key, val); err != nil {
			return nil, fmt.Errorf("line %d: %s: %w", n, key, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	switch {
	case c.why == "":
		return nil, fmt.Errorf("no \"why:\" line saying what makes the input hostile")
	case c.wantOK && (len(c.wantIs)+len(c.wantAs)+len(c.wantContains)+len(c.wantField) > 0):
		return nil, fmt.Errorf("want.ok contradicts want.is, want.as and want.contains")
	case !c.wantOK && len(c.wantIs)+len(c.wantAs)+len(c.wantContains)+len(c.wantField) == 0 && c.wantStatus == 0:
		return nil, fmt.Errorf("no expectation: give want.ok, want.status or an error to expect")
	}
	return c, nil
}

func (c *badCase) set(key, val string) error {
	var err error
	switch {
	case key == "why":
		c.why = val
	case key == "skip":
		c.skip = val
	case key == "body":
		if c.hasBody {
			return fmt.Errorf("the case has a body already")
		}
		c.body, err = evalExpr(val)
		c.hasBody = true
	case key == "header":
		name, expr, ok := strings.Cut(val, " ")
		if !ok {
			return fmt.Errorf("want \"header: Name <expression>\"")
		}
		var v []byte
		if v, err = evalExpr(expr); err == nil {
			c.headers = append(c.headers, badHeader{name: name, value: v})
		}
	case slices.Contains(exprKeys, key):
		c.params[key], err = evalExpr(val)
	case slices.Contains(plainKeys, key):
		c.opts[key] = val
	case key == "want.ok":
		c.wantOK, err = strconv.ParseBool(val)
	case key == "want.is":
		c.wantIs = append(c.wantIs, val)
	case key == "want.as":
		c.wantAs = append(c.wantAs, val)
	case key == "want.contains":
		c.wantContains = append(c.wantContains, val)
	case key == "want.field":
		c.wantField = append(c.wantField, val)
	case key == "want.status":
		c.wantStatus, err = strconv.Atoi(val)
	case key == "want.body":
		c.wantBody = append(c.wantBody, val)
	case key == "want.log":
		c.wantLog = append(c.wantLog, val)
	case key == "want.events":
		c.wantEvents, err = strconv.Atoi(val)
	case key == "want.value":
		c.wantValue, err = evalExpr(val)
		c.hasValue = true
	default:
		return fmt.Errorf("unknown directive")
	}
	return err
}

// opt returns a plain option, or def when the case does not set it.
func (c *badCase) opt(key, def string) string {
	if v, ok := c.opts[key]; ok {
		return v
	}
	return def
}

// param returns an expression option as a string, or def.
func (c *badCase) param(key, def string) string {
	if v, ok := c.params[key]; ok {
		return string(v)
	}
	return def
}

// evalExpr evaluates a generator expression: one or more Go string
// literals ("..." or `...`), each optionally followed by *N to repeat it N
// times (N may use _ separators), concatenated:
//
//	"{\"a\":" "["*100_000 "]"*100_000 "}"
//
// Large or binary inputs are written this way rather than committed.
func evalExpr(s string) ([]byte, error) {
	var out []byte
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("empty expression (write \"\" for an empty value)")
	}
	for s != "" {
		end, err := literalEnd(s)
		if err != nil {
			return nil, err
		}
		lit, err := strconv.Unquote(s[:end])
		if err != nil {
			return nil, fmt.Errorf("literal %s: %w", s[:end], err)
		}
		s = s[end:]
		n := int64(1)
		if strings.HasPrefix(s, "*") {
			digits := s[1:]
			if i := strings.IndexAny(digits, " \t"); i >= 0 {
				digits = digits[:i]
			}
			if n, err = strconv.ParseInt(digits, 0, 64); err != nil || n < 0 {
				return nil, fmt.Errorf("repeat count %q: want a non-negative integer", digits)
			}
			s = s[1+len(digits):]
		}
		if int64(len(out))+int64(len(lit))*n > maxExprBytes {
			return nil, fmt.Errorf("expression generates more than %d bytes", maxExprBytes)
		}
		out = append(out, bytes.Repeat([]byte(lit), int(n))...)
		if s != "" && s[0] != ' ' && s[0] != '\t' {
			return nil, fmt.Errorf("want a space between literals at %q", s)
		}
		s = strings.TrimLeft(s, " \t")
	}
	return out, nil
}

// literalEnd returns the length of the Go string literal s starts with.
func literalEnd(s string) (int, error) {
	switch s[0] {
	case '`':
		if i := strings.IndexByte(s[1:], '`'); i >= 0 {
			return i + 2, nil
		}
	case '"':
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				return i + 1, nil
			}
		}
	default:
		return 0, fmt.Errorf("want a string literal at %q", s)
	}
	return 0, fmt.Errorf("unterminated literal %q", s)
}
