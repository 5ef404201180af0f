package poller

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a12b7632/elementevents/internal/jsonscan"
	"github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/internal/rawquery"
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
		u.RawQuery = rawquery.Set(u.RawQuery, p.PageParam, strconv.Itoa(c.page))
	case vocab.PaginationOffset:
		u.RawQuery = rawquery.Set(u.RawQuery, p.OffsetParam, strconv.Itoa(c.offset))
	}
	if size > 0 && p.SizeParam != "" {
		u.RawQuery = rawquery.Set(u.RawQuery, p.SizeParam, strconv.Itoa(size))
	}
	return &u
}

// pageState is what nextToken reads of a fetched page.
type pageState struct {
	cursor  pageCursor
	size    int         // the page size sent, 0 if none was
	page    *Page       // records and totals already filled
	header  http.Header // the response's
	body    pageBody
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
		v := st.body.fields[pageNext]
		switch v.Kind {
		case jsonscan.Absent, jsonscan.Null:
			return "", nil
		case jsonscan.String:
		default:
			return "", fmt.Errorf("%w: next page field %s is not a string", ErrMalformedPage, s.pag.NextField)
		}
		ref, _ := v.Text(st.body.bytes) // validated with the page
		if strings.TrimSpace(ref) == "" {
			return "", nil
		}
		return s.followToken(ref, st)
	}
	return "", nil
}

// followToken turns a next-page URL from the vendor into a token: resolved
// against the URL fetched, without user info, the query-auth parameter or
// oauth1's oauth_* parameters (Fetch adds them back), so that tokens, which callers may store or log,
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
	if q := s.dropAuthParams(u.RawQuery); q != u.RawQuery {
		u.RawQuery = q
		token = u.String()
	}
	if token == s.tokenOf(st.fetched) {
		// Following it would fetch this page forever.
		return "", fmt.Errorf("%w: %w: next page URL is this page's", ErrMalformedPage, ErrPageLoop)
	}
	return token, nil
}

// tokenOf returns u as followToken would write it as a token.
func (s *HTTPSource) tokenOf(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = s.dropAuthParams(c.RawQuery)
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

// pageWalk guards the walk over the pages of one resource in one cycle:
// a next page already fetched in the walk (a loop, A → B → A) or one past
// the cap ends it with an error, so that a vendor's pagination cannot
// hold the resource. Tokens are compared as the Source wrote them; for
// HTTPSource's link and next-url styles a token is the URL to fetch, so a
// loop is seen at the first URL fetched twice.
type pageWalk struct {
	resource string
	max      int
	seen     map[string]int // token → the number of the page it fetched
}

// next checks the token next, named as the next page by page number n,
// which was fetched with token cur.
func (w *pageWalk) next(n int, cur, next string) error {
	if w.seen == nil {
		// Made only for a walk of two pages or more, most have one.
		w.seen = make(map[string]int)
	}
	w.seen[cur] = n
	if m, ok := w.seen[next]; ok {
		return fmt.Errorf("poller: %s: %w: page %d names page %d as its next page (%s)",
			w.resource, ErrPageLoop, n, m, quote.String(next))
	}
	if n >= w.max {
		return fmt.Errorf("poller: %s: %w of %d (Config.MaxPages, ResourceMaxPages): %w", w.resource, ErrTooManyPages, w.max, ErrVendor)
	}
	return nil
}
