// Package rawquery edits raw URL query strings as text, pair by pair,
// rather than through url.Values: Encode would sort the parameters and
// re-escape the values that ${...} placeholders and vendors wrote, and the
// vendor (an OAuth 1.0a one above all, which signs the URL) would see
// another URL than the one configured.
//
//	u.RawQuery = rawquery.Set(u.RawQuery, "page", "2")
package rawquery

import (
	"net/url"
	"strings"
)

// Set sets name to value in the raw query q: in place of its
// first occurrence, dropping any others, or at the end.
func Set(q, name, value string) string {
	pair := url.QueryEscape(name) + "=" + url.QueryEscape(value)
	var out []string
	set := false
	for _, p := range splitQuery(q) {
		if queryName(p) == name {
			if !set {
				out = append(out, pair)
				set = true
			}
			continue
		}
		out = append(out, p)
	}
	if !set {
		out = append(out, pair)
	}
	return strings.Join(out, "&")
}

// DeleteFunc removes the pairs whose names drop reports, and
// returns q unchanged when there are none.
func DeleteFunc(q string, drop func(name string) bool) string {
	pairs := splitQuery(q)
	out := pairs[:0:0]
	for _, p := range pairs {
		if !drop(queryName(p)) {
			out = append(out, p)
		}
	}
	if len(out) == len(pairs) {
		return q
	}
	return strings.Join(out, "&")
}

func splitQuery(q string) []string {
	if q == "" {
		return nil
	}
	return strings.Split(q, "&")
}

// queryName returns the unescaped name of a raw name=value pair.
func queryName(pair string) string {
	name, _, _ := strings.Cut(pair, "=")
	if n, err := url.QueryUnescape(name); err == nil {
		return n
	}
	return name
}
