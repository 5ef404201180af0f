package element

import (
	"fmt"
	"net/url"
	"strings"
)

// expandTemplate fills the {config.key} references of a base URL template
// with configuration values: "{store.url}/wp-json/wc/v3" becomes
// "https://shop.example/wp-json/wc/v3".
//
// Values are trimmed of spaces, and a value ending in "/" that is followed
// in the template by "/" loses its trailing slashes, so that a store URL
// entered with or without one gives the same result. A reference whose key
// lookup does not find, or finds blank, is a [*ValidationError] naming the
// key. An unterminated "{", an empty or malformed name, or a stray "}" is
// an error wrapping [ErrPlaceholder].
//
// ${...} time placeholders are copied through unchanged, so a template may
// hold both kinds; they are expanded per poll (see [Resource].URL).
//
// Reference names are made of letters, digits and "._-".
func expandTemplate(tmpl string, lookup func(key string) (string, bool)) (string, error) {
	var b strings.Builder
	b.Grow(len(tmpl) + 32)
	for i := 0; i < len(tmpl); {
		c := tmpl[i]
		switch {
		case c == '$' && i+1 < len(tmpl) && tmpl[i+1] == '{':
			end := strings.IndexByte(tmpl[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("element: template %s: unterminated ${ at offset %d: %w", quote(tmpl), i, ErrPlaceholder)
			}
			b.WriteString(tmpl[i : i+end+1])
			i += end + 1
		case c == '{':
			end := strings.IndexByte(tmpl[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("element: template %s: unterminated { at offset %d: %w", quote(tmpl), i, ErrPlaceholder)
			}
			key := tmpl[i+1 : i+end]
			if !validRefName(key) {
				return "", fmt.Errorf("element: template %s: bad reference {%s} at offset %d: %w", quote(tmpl), cut(key), i, ErrPlaceholder)
			}
			v, ok := lookup(key)
			v = strings.TrimSpace(v)
			if !ok || v == "" {
				return "", problemList{{Path: key, Message: "is missing; the template " + quote(tmpl) + " needs it"}}.err("")
			}
			i += end + 1
			if i < len(tmpl) && tmpl[i] == '/' {
				v = strings.TrimRight(v, "/")
			}
			b.WriteString(v)
		case c == '}':
			return "", fmt.Errorf("element: template %s: stray } at offset %d: %w", quote(tmpl), i, ErrPlaceholder)
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

// templateKeys returns the configuration keys a template refers to, in
// order of appearance, or an error if it is malformed.
func templateKeys(tmpl string) ([]string, error) {
	var keys []string
	_, err := expandTemplate(tmpl, func(key string) (string, bool) {
		keys = append(keys, key)
		return "x", true
	})
	return keys, err
}

func validRefName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// ExpandBaseURL fills d.BaseURL from configuration values, falling back to
// d.Defaults for keys lookup does not find. Values are trimmed of spaces,
// and a value ending in "/" that is followed in the template by "/" loses
// its trailing slashes, so that a store URL entered with or without one
// gives the same result. The
// result must be an absolute http or https URL; it is returned without a
// trailing slash, so that vendor paths, which start with "/", can be
// appended. A missing key, or a result that is not such a URL, is a
// [*ValidationError] naming the configuration key (the first the template
// refers to); a malformed template is an error wrapping [ErrPlaceholder].
func (d *Definition) ExpandBaseURL(lookup func(key string) (string, bool)) (string, error) {
	return d.expandURL(d.BaseURL, "baseUrl", "base URL", lookup)
}

// ExpandTokenURL fills a's OAuth 2 token URL template as
// [Definition.ExpandBaseURL] fills the base URL, with the same errors.
func (d *Definition) ExpandTokenURL(a Auth, lookup func(key string) (string, bool)) (string, error) {
	return d.expandURL(a.TokenURL, "auth.tokenUrl", "token URL", lookup)
}

// expandURL fills the URL template tmpl, the definition's field (named
// what in messages).
func (d *Definition) expandURL(tmpl, field, what string, lookup func(key string) (string, bool)) (string, error) {
	s, err := expandTemplate(tmpl, func(key string) (string, bool) {
		if v, ok := lookup(key); ok && strings.TrimSpace(v) != "" {
			return v, true
		}
		v, ok := d.Defaults[key]
		return v, ok
	})
	if err != nil {
		return "", err
	}
	if err := checkAbsoluteHTTP(s); err != nil {
		path := field
		if keys, _ := templateKeys(tmpl); len(keys) > 0 {
			path = keys[0]
		}
		return "", problemList{{Path: path, Err: err,
			Message: fmt.Sprintf("%v: the %s %s would be %s", err, d.Key, what, quote(s))}}.err("")
	}
	return strings.TrimRight(s, "/"), nil
}

// checkAbsoluteHTTP reports why s is not an absolute http(s) URL.
func checkAbsoluteHTTP(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("must be an absolute http(s) URL")
	}
	if u.Host == "" {
		return fmt.Errorf("must have a host")
	}
	return nil
}

// VendorPath maps a hub path to the vendor path relative to the base URL,
// using d.Paths: "/hubs/ecommerce/customers?x=y" becomes "/customers?x=y".
// An exact match wins; otherwise the longest mapped path of which hubPath is
// a sub-path ("/hubs/ecommerce/customers/7") maps its prefix. The query and
// fragment are kept; if the vendor path has its own query, the two are
// joined with "&". A path that nothing maps, such as a vendor path or an
// absolute URL, is returned unchanged.
func (d *Definition) VendorPath(hubPath string) string {
	path, rest := hubPath, ""
	if i := strings.IndexAny(hubPath, "?#"); i >= 0 {
		path, rest = hubPath[:i], hubPath[i:]
	}
	mapped, ok := d.Paths[path]
	if !ok {
		best := ""
		for from, to := range d.Paths {
			if len(from) > len(best) && strings.HasPrefix(path, from) &&
				(strings.HasSuffix(from, "/") || path[len(from)] == '/') {
				best, mapped = from, to
			}
		}
		if best == "" {
			return hubPath
		}
		mpath, mquery, hasQuery := strings.Cut(mapped, "?")
		mapped = strings.TrimSuffix(mpath, "/") + "/" + strings.TrimPrefix(path[len(best):], "/")
		if hasQuery {
			mapped += "?" + mquery
		}
	}
	if strings.Contains(mapped, "?") && strings.HasPrefix(rest, "?") {
		rest = "&" + rest[1:]
	}
	return mapped + rest
}
