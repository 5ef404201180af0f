package poller

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/internal/vocab"
)

// errBadToken reports a Request.Token this source did not issue.
var errBadToken = errors.New("invalid page token")

// cursor is a decoded Request.Token: where a page is in its resource.
// Tokens are opaque to callers; they hold the page number (page style),
// the offset (offset style) or the URL to follow (link and next-url
// styles, after the first page).
type pageCursor struct {
	page   int
	offset int
	next   *url.URL
}

// decodeToken reads token for the definition's pagination style.
func (s *HTTPSource) decodeToken(token string) (pageCursor, error) {
	p := s.pag
	switch p.Style {
	case vocab.PaginationPage:
		if token == "" {
			return pageCursor{page: p.FirstPage}, nil
		}
		n, err := strconv.Atoi(token)
		if err != nil || n < p.FirstPage {
			return pageCursor{}, errBadToken
		}
		return pageCursor{page: n}, nil
	case vocab.PaginationOffset:
		if token == "" {
			return pageCursor{}, nil
		}
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 {
			return pageCursor{}, errBadToken
		}
		return pageCursor{offset: n}, nil
	case vocab.PaginationLink, vocab.PaginationNextURL:
		if token == "" {
			return pageCursor{}, nil
		}
		u, err := url.Parse(token)
		if err != nil || !isHTTPURL(u) {
			return pageCursor{}, errBadToken
		}
		return pageCursor{next: u}, nil
	default:
		if token != "" {
			return pageCursor{}, errBadToken
		}
		return pageCursor{}, nil
	}
}

// pageURL returns the URL of the page at c, given the resource's
// first-page URL (placeholders expanded) and the page size to ask for
// (0: none). A URL to follow is used exactly as the vendor gave it: it
// already carries the vendor's own paging parameters.
func (s *HTTPSource) pageURL(first *url.URL, c pageCursor, size int) *url.URL {
	if c.next != nil {
		u := *c.next
		return &u
	}
	u := *first
	p := s.pag
	switch p.Style {
	case vocab.PaginationPage:
		u.RawQuery = setQueryParam(u.RawQuery, p.PageParam, strconv.Itoa(c.page))
	case vocab.PaginationOffset:
		u.RawQuery = setQueryParam(u.RawQuery, p.OffsetParam, strconv.Itoa(c.offset))
	}
	if size > 0 && p.SizeParam != "" {
		u.RawQuery = setQueryParam(u.RawQuery, p.SizeParam, strconv.Itoa(size))
	}
	return &u
}

// pageState is what nextToken reads of a fetched page.
type pageState struct {
	cursor  pageCursor
	size    int         // the page size sent, 0 if none was
	page    *Page       // records and totals already filled
	header  http.Header // the response's
	body    []byte
	fetched *url.URL // the URL the response came from, to resolve links against
	first   *url.URL // the resource's first-page URL, whose host the credentials belong to
}

// nextToken returns the token of the page after st, "" when st is the
// last page.
func (s *HTTPSource) nextToken(st pageState) (string, error) {
	n := len(st.page.Records)
	switch s.pag.Style {
	case vocab.PaginationPage:
		if n == 0 {
			return "", nil // past the end, whatever the headers say
		}
		if tp := st.page.TotalPages; tp >= 0 {
			if st.cursor.page-s.pag.FirstPage+1 >= tp {
				return "", nil
			}
		} else if st.size > 0 && n < st.size {
			return "", nil
		}
		return strconv.Itoa(st.cursor.page + 1), nil
	case vocab.PaginationOffset:
		next := st.cursor.offset + n
		switch {
		case n == 0:
			return "", nil
		case st.page.Total >= 0:
			// A total outranks a short page: vendors may cap the size
			// below what was asked.
			if next >= st.page.Total {
				return "", nil
			}
		case st.size > 0 && n < st.size:
			return "", nil
		}
		return strconv.Itoa(next), nil
	case vocab.PaginationLink:
		ref := nextLink(st.header.Values("Link"))
		if ref == "" {
			return "", nil
		}
		return s.followToken(ref, st)
	case vocab.PaginationNextURL:
		raw, err := pageField(st.body, s.pag.NextField)
		if err != nil {
			return "", err
		}
		if raw == nil || string(raw) == "null" {
			return "", nil
		}
		var ref string
		if err := json.Unmarshal(raw, &ref); err != nil {
			return "", fmt.Errorf("%w: next page field %s is not a string", ErrMalformedPage, s.pag.NextField)
		}
		if strings.TrimSpace(ref) == "" {
			return "", nil
		}
		return s.followToken(ref, st)
	}
	return "", nil
}

// followToken turns a next-page URL from the vendor into a token: resolved
// against the URL fetched, without user info or the query-auth parameter
// (Fetch adds that back), so that tokens, which callers may store or log,
// never hold credentials. Otherwise the URL is kept byte for byte.
func (s *HTTPSource) followToken(ref string, st pageState) (string, error) {
	ref = strings.TrimSpace(ref)
	u, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("%w: next page URL does not parse", ErrMalformedPage)
	}
	token := ref
	if !u.IsAbs() {
		u = st.fetched.ResolveReference(u)
		token = u.String()
	}
	if !isHTTPURL(u) {
		return "", fmt.Errorf("%w: next page URL is not http(s)", ErrMalformedPage)
	}
	if err := s.checkFollow(u, st.first); err != nil {
		return "", fmt.Errorf("%w: %w", ErrMalformedPage, err)
	}
	if u.User != nil {
		u.User = nil
		token = u.String()
	}
	if s.auth.style == vocab.AuthQuery && hasQueryParam(u.RawQuery, s.auth.param) {
		u.RawQuery = deleteQueryParam(u.RawQuery, s.auth.param)
		token = u.String()
	}
	if token == s.tokenOf(st.fetched) {
		// Following it would fetch this page forever.
		return "", fmt.Errorf("%w: next page URL is this page's", ErrMalformedPage)
	}
	return token, nil
}

// tokenOf returns u as followToken would write it as a token.
func (s *HTTPSource) tokenOf(u *url.URL) string {
	c := *u
	c.User = nil
	if s.auth.style == vocab.AuthQuery {
		c.RawQuery = deleteQueryParam(c.RawQuery, s.auth.param)
	}
	return c.String()
}

// checkFollow refuses a URL to follow that is not on the resource's own
// origin (scheme, host and port), whatever the auth style: a page body
// must not be able to collect the credentials, nor, without credentials,
// send the poller to another host (an internal address, say) whose answer
// would go out in notifications. The definition has no field that allows
// other hosts. The guard checks it as well.
func (s *HTTPSource) checkFollow(u, first *url.URL) error {
	if sameOrigin(u, first) {
		return s.checkNextURL(u, nil)
	}
	if u.Scheme != first.Scheme && strings.EqualFold(u.Hostname(), first.Hostname()) {
		return s.checkNextURL(u, fmt.Errorf("next page URL is %s, not %s like the resource; pages are followed only on the resource's own scheme and host",
			u.Scheme, first.Scheme))
	}
	return s.checkNextURL(u, fmt.Errorf("next page URL is on host %s, not the resource's %s; pages are followed only on the resource's own scheme and host",
		quote.Cut(u.Host), quote.Cut(first.Host)))
}

// sameOrigin reports whether a and b, both absolute http(s) URLs, have the
// same scheme, host (in any case) and port, an absent port being the
// scheme's default.
func sameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && strings.EqualFold(a.Hostname(), b.Hostname()) && portOf(a) == portOf(b)
}

// portOf returns u's port, or its scheme's default port.
func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

func isHTTPURL(u *url.URL) bool {
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// totals reads the totals the vendor gives: Total from TotalHeader or
// TotalField, TotalPages from TotalPagesHeader; -1 when not given.
func (s *HTTPSource) totals(h http.Header, body []byte) (total, pages int, err error) {
	total, pages = -1, -1
	p := s.pag
	if p.TotalHeader != "" {
		total = headerInt(h, p.TotalHeader)
	}
	if total < 0 && p.TotalField != "" {
		raw, err := pageField(body, p.TotalField)
		if err != nil {
			return -1, -1, err
		}
		// Some vendors write counts as strings.
		if n, err := strconv.Atoi(strings.Trim(string(raw), `"`)); err == nil && n >= 0 {
			total = n
		}
	}
	if p.TotalPagesHeader != "" {
		pages = headerInt(h, p.TotalPagesHeader)
	}
	return total, pages, nil
}

// headerInt returns the non-negative integer in header name, or -1.
func headerInt(h http.Header, name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get(name)))
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// pageField returns the raw JSON value at the dotted path of body, or nil
// when the path is absent or crosses a value that is not an object. It
// streams past the values it does not want, so that a next-page field
// after a large records array costs no copy of the array.
func pageField(body []byte, path string) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	segs := strings.Split(path, ".")
	for i, seg := range segs {
		tok, err := dec.Token()
		if err != nil {
			return nil, malformedField(dec, err)
		}
		if tok != json.Delim('{') {
			return nil, nil
		}
		found := false
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, malformedField(dec, err)
			}
			if key, _ := tok.(string); key == seg {
				found = true
				break
			}
			if err := skipFieldValue(dec); err != nil {
				return nil, malformedField(dec, err)
			}
		}
		if !found {
			return nil, nil
		}
		if i == len(segs)-1 {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, malformedField(dec, err)
			}
			return raw, nil
		}
	}
	return nil, nil
}

// skipFieldValue reads past the next JSON value of dec.
func skipFieldValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// malformedField wraps a decoding error in ErrMalformedPage with its byte
// offset.
func malformedField(dec *json.Decoder, err error) error {
	off := dec.InputOffset()
	if se := (*json.SyntaxError)(nil); errors.As(err, &se) {
		off = se.Offset
	}
	return fmt.Errorf("%w: at byte offset %d: %w", ErrMalformedPage, off, err)
}

// link is one link-value of a Link header (RFC 8288, section 3).
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
