// Package urltemplate compiles the ${...} time placeholders of a polled
// resource's URL once and expands them for each poll: element checks the
// URLs of instances and definitions with it, and the poller builds its
// requests with it.
//
//	t, err := urltemplate.Compile("/orders?after=${gmtDate:yyyy-MM-dd'T'HH:mm:ss}", nil)
//	u := t.Expand(since)
package urltemplate

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/javatime"
)

// ErrPlaceholder reports a ${...} placeholder that is unknown or
// malformed. Package element exports it as element.ErrPlaceholder.
var ErrPlaceholder = errors.New("element: invalid placeholder")

// isoDatePattern is what a bare ${date} writes: ISO 8601 with
// milliseconds and the offset, "Z" at UTC, like Go's layout
// "2006-01-02T15:04:05.000Z07:00".
const isoDatePattern = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"

// Template is a polling URL with ${...} placeholders, compiled once by
// [Compile] and expanded for each poll. It is immutable and safe for
// concurrent use.
type Template struct {
	raw   string
	parts []urlPart
}

// urlPart is literal text, or a placeholder when value is set.
type urlPart struct {
	lit   string
	value func(b []byte, t time.Time) []byte
	query bool // after the first '?': query-escaped, else path-escaped
}

// Compile compiles a URL template. zone is the configured zone used by
// ${date:...} and ${date}; nil means UTC. The placeholders are:
//
//	${gmtDate:FMT}            t in GMT, with a Java date pattern (see package javatime)
//	${date:FMT}               t in zone, with a Java date pattern
//	${dateTimeZone:ZONE:FMT}  t in ZONE (see javatime.LoadLocation); also ${DateTimeZone:...}
//	${date}                   t in zone as ISO 8601, "2006-01-02T15:04:05.000Z07:00"
//	${epoch}, ${epoch:ms}     milliseconds since the Unix epoch; also ${milliseconds}
//	${epoch:s}, ${epoch:us}   seconds or microseconds since the Unix epoch
//
// A placeholder ends at the first '}', so a pattern may hold quotes:
// ${gmtDate:yyyy-MM-dd'T'HH:mm:ss}. Since a zone may hold a colon
// (GMT+05:30), the ZONE of dateTimeZone is the longest text up to a colon
// that names a zone, and a pattern must hold at least one field, so that
// ${dateTimeZone:GMT+05:30} is an error rather than the text "30". Values
// after the first '?' outside placeholders are escaped with
// [url.QueryEscape], earlier ones with [url.PathEscape]; text outside
// placeholders is kept exactly as written.
//
// Errors wrap [ErrPlaceholder], and also [javatime.ErrPattern] or
// [javatime.ErrZone] when the pattern or zone inside is at fault; they name
// the placeholder and its byte position.
func Compile(raw string, zone *time.Location) (*Template, error) {
	if zone == nil {
		zone = time.UTC
	}
	tmpl := &Template{raw: raw}
	inQuery := false
	for rest, pos := raw, 0; rest != ""; {
		start := strings.Index(rest, "${")
		if start < 0 {
			start = len(rest)
		}
		if start > 0 {
			tmpl.parts = append(tmpl.parts, urlPart{lit: rest[:start]})
			inQuery = inQuery || strings.Contains(rest[:start], "?")
		}
		if start == len(rest) {
			break
		}
		pos += start
		rest = rest[start:]
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			return nil, fmt.Errorf("%w: unterminated %q at position %d in %s; close it with }", ErrPlaceholder, "${", pos, quote.String(raw))
		}
		value, err := compilePlaceholder(rest[2:end], zone)
		if err != nil {
			return nil, fmt.Errorf("%w: %s at position %d: %w", ErrPlaceholder, quote.Cut(rest[:end+1]), pos, err)
		}
		tmpl.parts = append(tmpl.parts, urlPart{value: value, query: inQuery})
		pos += end + 1
		rest = rest[end+1:]
	}
	return tmpl, nil
}

// Expand returns the URL with every placeholder replaced by its value at t.
func (u *Template) Expand(t time.Time) string {
	var (
		sb  strings.Builder
		buf []byte
	)
	sb.Grow(len(u.raw) + 16)
	for _, p := range u.parts {
		if p.value == nil {
			sb.WriteString(p.lit)
			continue
		}
		buf = p.value(buf[:0], t)
		if p.query {
			sb.WriteString(url.QueryEscape(string(buf)))
		} else {
			sb.WriteString(url.PathEscape(string(buf)))
		}
	}
	return sb.String()
}

// String returns the template as written.
func (u *Template) String() string { return u.raw }

// compilePlaceholder compiles the text between ${ and }.
func compilePlaceholder(body string, zone *time.Location) (func([]byte, time.Time) []byte, error) {
	name, arg, hasArg := strings.Cut(body, ":")
	switch name {
	case "gmtDate":
		if !hasArg {
			return nil, errors.New("want ${gmtDate:FORMAT}")
		}
		return placeholderDate(arg, nil)
	case "date":
		if !hasArg {
			return placeholderDate(isoDatePattern, zone)
		}
		return placeholderDate(arg, zone)
	case "dateTimeZone", "DateTimeZone":
		loc, pattern, err := cutZone(arg)
		if err != nil {
			return nil, err
		}
		return placeholderDate(pattern, loc)
	case "epoch", "milliseconds":
		if name == "milliseconds" && hasArg {
			return nil, errors.New("${milliseconds} takes no argument")
		}
		switch arg {
		case "", "ms":
			return func(b []byte, t time.Time) []byte { return strconv.AppendInt(b, t.UnixMilli(), 10) }, nil
		case "s":
			return func(b []byte, t time.Time) []byte { return strconv.AppendInt(b, t.Unix(), 10) }, nil
		case "us":
			return func(b []byte, t time.Time) []byte { return strconv.AppendInt(b, t.UnixMicro(), 10) }, nil
		}
		return nil, fmt.Errorf("unknown epoch unit %s; want s, ms or us", quote.String(arg))
	}
	return nil, errors.New("unknown placeholder; want gmtDate, date, dateTimeZone, epoch or milliseconds")
}

// placeholderDate compiles a date placeholder's pattern for loc, nil
// meaning GMT.
func placeholderDate(pattern string, loc *time.Location) (func([]byte, time.Time) []byte, error) {
	zone := ""
	if loc == nil {
		zone = "GMT"
	}
	l, err := javatime.NewLayout(pattern, zone)
	if err != nil {
		return nil, err
	}
	if !l.HasFields() {
		// Most likely a mistake such as a missing FORMAT after a zone.
		return nil, fmt.Errorf("%w: pattern %s has no date fields", javatime.ErrPattern, quote.String(pattern))
	}
	if loc != nil {
		l = l.In(loc)
	}
	return l.AppendFormat, nil
}

// cutZone splits "ZONE:FORMAT" at the colon after the longest zone name,
// so that "GMT+05:30:HH:mm" is GMT+05:30 and "HH:mm".
func cutZone(arg string) (*time.Location, string, error) {
	var (
		loc      *time.Location
		pattern  string
		firstErr error
	)
	for i := 1; i < len(arg); i++ { // from 1: the zone may not be empty
		if arg[i] != ':' {
			continue
		}
		l, err := javatime.LoadLocation(arg[:i])
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		loc, pattern = l, arg[i+1:]
	}
	switch {
	case loc != nil:
		return loc, pattern, nil
	case firstErr != nil:
		return nil, "", firstErr
	}
	return nil, "", errors.New("want ${dateTimeZone:ZONE:FORMAT}")
}
