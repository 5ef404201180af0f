package vendorauth

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// param is one request parameter, decoded.
type param struct{ name, value string }

// percentEncode encodes s as RFC 5849 §3.6 says: every byte but the
// unreserved ALPHA, DIGIT, '-', '.', '_' and '~' as %XX, in upper case.
func percentEncode(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// queryParams decodes a raw query as application/x-www-form-urlencoded
// (RFC 5849 §3.4.1.3.1): pairs split at '&', a name without '=' has an
// empty value, '+' is a space. Empty pairs are skipped. A bad escape is an
// error naming the parameter's position, not its value.
func queryParams(raw string) ([]param, error) {
	var ps []param
	for i, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		rn, rv, _ := strings.Cut(pair, "=")
		n, err := url.QueryUnescape(rn)
		if err != nil {
			return nil, fmt.Errorf("%w: query parameter %d: name is not valid percent-encoding", ErrRequest, i+1)
		}
		v, err := url.QueryUnescape(rv)
		if err != nil {
			return nil, fmt.Errorf("%w: query parameter %d: value is not valid percent-encoding", ErrRequest, i+1)
		}
		ps = append(ps, param{n, v})
	}
	return ps, nil
}

// baseURI is the base string URI of RFC 5849 §3.4.1.2: scheme and host in
// lower case, the port only when it is not the scheme's default, the path
// as sent, no query or fragment.
func baseURI(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6
	}
	if p := u.Port(); p != "" && !(scheme == "http" && p == "80") && !(scheme == "https" && p == "443") {
		host += ":" + p
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path
}

// normalize is the normalized parameter string of RFC 5849 §3.4.1.3.2:
// names and values encoded, sorted by name then value, joined as
// name=value pairs with '&'.
func normalize(ps []param) string {
	enc := make([]param, len(ps))
	for i, p := range ps {
		enc[i] = param{percentEncode(p.name), percentEncode(p.value)}
	}
	sort.Slice(enc, func(i, j int) bool {
		if enc[i].name != enc[j].name {
			return enc[i].name < enc[j].name
		}
		return enc[i].value < enc[j].value
	})
	var b strings.Builder
	for i, p := range enc {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// baseString is the signature base string of RFC 5849 §3.4.1: the method
// in upper case, the base string URI and the normalized parameters (the
// query's and ps), each encoded, joined with '&'.
func baseString(method string, u *url.URL, ps []param) (string, error) {
	q, err := queryParams(u.RawQuery)
	if err != nil {
		return "", err
	}
	all := append(q, ps...)
	return strings.ToUpper(method) + "&" + percentEncode(baseURI(u)) + "&" + percentEncode(normalize(all)), nil
}
