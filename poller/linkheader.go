package poller

import "strings"

// linkValue is one link-value of a Link header (RFC 8288, section 3).
type linkValue struct {
	target string   // the URI-Reference between < and >, unresolved
	rels   []string // the relation types of the first rel parameter, lowercased
}

// nextLink returns the target of the first link with relation type "next"
// in the Link header values, or "".
func nextLink(values []string) string {
	for _, l := range parseLinkHeader(values) {
		for _, r := range l.rels {
			if r == "next" && l.target != "" {
				return l.target
			}
		}
	}
	return ""
}

// parseLinkHeader parses Link header field values (RFC 8288): several
// comma-separated link-values a field, several fields, parameters quoted
// or not, and several space-separated relation types in one rel. Only the
// first rel parameter of a link counts, as the RFC says. A malformed
// link-value is skipped up to the next comma outside quotes and brackets,
// so that one bad link does not hide the others.
func parseLinkHeader(values []string) []linkValue {
	var links []linkValue
	for _, v := range values {
		links = appendLinks(links, v)
	}
	return links
}

func appendLinks(links []linkValue, s string) []linkValue {
	i := 0
	for {
		for i < len(s) && (isOWS(s[i]) || s[i] == ',') {
			i++
		}
		if i >= len(s) {
			return links
		}
		if s[i] != '<' {
			i = skipLinkValue(s, i)
			continue
		}
		end := strings.IndexByte(s[i+1:], '>')
		if end < 0 {
			return links
		}
		l := linkValue{target: strings.TrimSpace(s[i+1 : i+1+end])}
		i += end + 2
		relSeen := false
		for {
			i = skipOWS(s, i)
			if i >= len(s) || s[i] != ';' {
				break
			}
			i = skipOWS(s, i+1)
			start := i
			for i < len(s) && isTokenChar(s[i]) {
				i++
			}
			name := strings.ToLower(s[start:i])
			var value string
			if i = skipOWS(s, i); i < len(s) && s[i] == '=' {
				i = skipOWS(s, i+1)
				if i < len(s) && s[i] == '"' {
					value, i = quotedString(s, i)
				} else {
					start := i
					for i < len(s) && s[i] != ';' && s[i] != ',' && !isOWS(s[i]) {
						i++
					}
					value = s[start:i]
				}
			}
			if name == "rel" && !relSeen {
				relSeen = true
				l.rels = strings.Fields(strings.ToLower(value))
			}
		}
		if i < len(s) && s[i] != ',' {
			// Junk after the parameters: the link-value is malformed.
			i = skipLinkValue(s, i)
			continue
		}
		links = append(links, l)
	}
}

// skipLinkValue returns the index of the next comma of s at or after i
// that is outside quotes and angle brackets, or len(s). s[i] is consumed
// even if it is a comma, so the caller always makes progress.
func skipLinkValue(s string, i int) int {
	for i++; i < len(s); i++ {
		switch s[i] {
		case ',':
			return i
		case '"':
			_, j := quotedString(s, i)
			i = j - 1
		case '<':
			if end := strings.IndexByte(s[i:], '>'); end >= 0 {
				i += end
			}
		}
	}
	return i
}

// quotedString reads the quoted-string starting at s[i] == '"', undoing
// backslash escapes; it returns the value and the index after the closing
// quote (len(s) when there is none).
func quotedString(s string, i int) (string, int) {
	var b strings.Builder
	for i++; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), i + 1
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), len(s)
}

func skipOWS(s string, i int) int {
	for i < len(s) && isOWS(s[i]) {
		i++
	}
	return i
}

func isOWS(c byte) bool { return c == ' ' || c == '\t' }

// isTokenChar reports whether c may appear in an RFC 9110 token.
func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
