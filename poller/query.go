package poller

import (
	"net/url"
	"strings"
)

// Query strings are edited as text, pair by pair, rather than through
// url.Values: Encode would sort the parameters and re-escape the values
// that ${...} placeholders and vendors wrote, and the vendor would see a
// different URL from the one configured.

// setQueryParam sets name to value in the raw query q: in place of its
// first occurrence, dropping any others, or at the end.
func setQueryParam(q, name, value string) string {
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

// deleteQueryParam removes every occurrence of name from the raw query q.
func deleteQueryParam(q, name string) string {
	var out []string
	for _, p := range splitQuery(q) {
		if queryName(p) != name {
			out = append(out, p)
		}
	}
	return strings.Join(out, "&")
}

// deleteQueryParams removes the pairs whose names drop reports, and
// returns q unchanged when there are none.
func deleteQueryParams(q string, drop func(name string) bool) string {
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

func hasQueryParam(q, name string) bool {
	for _, p := range splitQuery(q) {
		if queryName(p) == name {
			return true
		}
	}
	return false
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
