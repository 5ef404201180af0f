package poller

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/internal/rawquery"
	"github.com/a12b7632/elementevents/internal/redact"
	"github.com/a12b7632/elementevents/internal/vendorerr"
	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/netguard"
)

// sourceUserAgent names the library to vendors, whose support desks ask.
const sourceUserAgent = "elementevents-poller (+https://github.com/a12b7632/elementevents)"

// Fetch returns the page of req.Resource at req.Token. It runs the plan
// NewHTTPSource compiled for the resource; a req.Config the instance does
// not hold is compiled at its first Fetch and kept. See [Source] for the
// errors; every error names the resource and, once the URL is built, the
// URL without credentials.
func (s *HTTPSource) Fetch(ctx context.Context, req Request) (*Page, error) {
	p, err := s.plan(req)
	if err != nil {
		return nil, err
	}
	first, err := url.Parse(p.url.Expand(req.Since))
	if err != nil || !isHTTPURL(first) {
		// Not quoted: a hand-written URL may hold a key.
		return nil, fmt.Errorf("poller: %s: resource URL is not an absolute http(s) URL: %w", req.Resource, ErrConfig)
	}
	cur, err := s.decodeToken(req.Token)
	if err == nil && cur.next != nil {
		err = s.checkFollow(cur.next, first)
	}
	if errors.Is(err, netguard.ErrRefused) {
		return nil, fmt.Errorf("poller: instance %s: %s: %w: %w", quote.Cut(s.instanceID), req.Resource, ErrConfig, err)
	}
	if err != nil {
		return nil, fmt.Errorf("poller: %s: %w: %w", req.Resource, ErrConfig, err)
	}
	target := s.pageURL(first, cur, p.size)
	if st := s.creds.Style(); st == vocab.AuthQuery || st == vocab.AuthBasic {
		// Credentials in the query go into the URL here, so that errors
		// and Page.URL show where they go (redacted). These styles send
		// no request and cannot fail; Authorize sets them again in place.
		_ = s.creds.Authorize(&http.Request{URL: target, Header: http.Header{}})
	}
	c := &fetchCall{resource: req.Resource, from: p.from, url: target, redacted: s.redact(target), cursor: cur,
		size: p.size, first: first, plan: p}
	if cur.next != nil {
		// A URL the vendor gave is fetched as given: it came from the
		// vendor, and no size is sent, so a short page says nothing.
		c.from, c.size = req.Resource, 0
	}
	for try := 1; ; try++ {
		page, fail, err := s.attempt(ctx, c)
		if err != nil || fail == nil {
			return page, err
		}
		if fail.again {
			try-- // the renewed token's try is not one of the retries
			continue
		}
		if try >= s.retry.Tries {
			return nil, retriesExhausted(c, fail, try)
		}
		wait := fail.retryAfter
		if wait < 0 {
			wait = s.retry.backoff(try, jitterRand())
		}
		if err := waitClock(ctx, s.clock, min(wait, s.retry.Max)); err != nil {
			return nil, fmt.Errorf("poller: %s: GET %s: waiting to retry after %s: %w", c.resource, c.redacted, fail.reason, err)
		}
	}
}

// fetchCall is one Fetch: what its attempts share.
type fetchCall struct {
	resource string
	from     string   // where url came from, for a refusal: a configuration key, or the resource for a vendor's link
	url      *url.URL // credentials included, for query auth
	redacted string   // url for errors and Page.URL
	cursor   pageCursor
	size     int // the page size sent, 0 if none was
	first    *url.URL
	plan     *fetchPlan
	renewed  bool // the OAuth 2 access token was renewed after a 401
}

// retryable is a failure that another try may cure.
type retryable struct {
	reason     string        // "status 503", "timed out after 1m0s", ...
	err        error         // the cause, scrubbed of the URL; may be nil
	retryAfter time.Duration // the vendor's Retry-After, or -1
	again      bool          // try again at once, not counted: the access token was renewed
}

// retriesExhausted is the error after the last try failed.
func retriesExhausted(c *fetchCall, fail *retryable, tries int) error {
	if fail.err == nil {
		return fmt.Errorf("poller: %s: GET %s: %s (attempt %d of %d): %w", c.resource, c.redacted, fail.reason, tries, tries, ErrVendor)
	}
	return fmt.Errorf("poller: %s: GET %s: %s (attempt %d of %d): %w: %w", c.resource, c.redacted, fail.reason, tries, tries, ErrVendor, fail.err)
}

// errAttemptTimeout cancels an attempt that outlived HTTPConfig.Timeout.
var errAttemptTimeout = errors.New("request timed out")

// attempt sends one request. It returns the page, a retryable failure to
// retry, or a final error.
func (s *HTTPSource) attempt(ctx context.Context, c *fetchCall) (*Page, *retryable, error) {
	// The timeout runs on the injected clock, which context.WithTimeout
	// would not use.
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if s.timeout > 0 {
		t := s.clock.AfterFunc(s.timeout, func() { cancel(errAttemptTimeout) })
		defer t.Stop()
	}
	failed := func(err error) (*Page, *retryable, error) {
		if ctx.Err() != nil {
			return nil, nil, fmt.Errorf("poller: %s: GET %s: %w", c.resource, c.redacted, ctx.Err())
		}
		if errors.Is(context.Cause(actx), errAttemptTimeout) {
			return nil, &retryable{reason: fmt.Sprintf("timed out after %s", s.timeout), retryAfter: -1}, nil
		}
		return nil, &retryable{reason: "network error", err: scrubURLError(err), retryAfter: -1}, nil
	}

	hreq, err := http.NewRequestWithContext(actx, http.MethodGet, c.url.String(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("poller: %s: GET %s: %w: %w", c.resource, c.redacted, ErrConfig, scrubURLError(err))
	}
	hreq.Header.Set("Accept", "application/json")
	hreq.Header.Set("User-Agent", sourceUserAgent)
	if err := s.creds.Authorize(hreq); err != nil {
		return s.authFailure(ctx, actx, c, err)
	}
	resp, err := s.client.Do(hreq)
	switch {
	case errors.Is(err, errOffOrigin), errors.Is(err, errRedirectRefused):
		// Permanent: another try gets the same redirect.
		if errors.Is(err, netguard.ErrRefused) {
			return nil, nil, s.refusedError(c, c.from, fmt.Errorf("%w: %w", ErrVendor, scrubURLError(err)))
		}
		return nil, nil, fmt.Errorf("poller: %s: GET %s: %w: %w", c.resource, c.redacted, ErrVendor, scrubURLError(err))
	case errors.Is(err, netguard.ErrRefused):
		// Permanent: the address is refused, whatever the try.
		return nil, nil, s.refusedError(c, c.from, fmt.Errorf("%w: %w", ErrConfig, scrubURLError(err)))
	}
	if err != nil {
		return failed(err)
	}
	defer drainBody(resp.Body)

	if st := resp.StatusCode; st < 200 || st > 299 {
		if st == http.StatusUnauthorized || st == http.StatusForbidden {
			if fail, err := s.renew(ctx, c, resp); fail != nil || err != nil {
				return nil, fail, err
			}
		}
		return s.statusFailure(c, resp)
	}
	buf := newPageBuf()
	body, err := readBody(buf.body[:0], resp, s.maxBytes)
	buf.body = body
	if err != nil {
		buf.release()
		return failed(err)
	}
	if int64(len(body)) > s.maxBytes {
		buf.release()
		return nil, nil, fmt.Errorf("poller: %s: GET %s: page too large: more than %d bytes: %w",
			c.resource, c.redacted, s.maxBytes, ErrMalformedPage)
	}
	page, err := s.readPage(c, resp, buf)
	if err != nil {
		buf.release()
	}
	if errors.Is(err, netguard.ErrRefused) {
		return nil, nil, s.refusedError(c, c.resource, err) // a next-page link
	}
	if err != nil {
		return nil, nil, fmt.Errorf("poller: %s: GET %s: %w", c.resource, c.redacted, err)
	}
	return page, nil, nil
}

// readBody appends resp's body to dst, reading at most max+1 bytes so
// that a body over max shows as longer than max.
func readBody(dst []byte, resp *http.Response, max int64) ([]byte, error) {
	if n := resp.ContentLength; n > 0 && n <= max {
		dst = slices.Grow(dst, int(n)+1) // +1: reading on finds the end
	}
	lr := io.LimitedReader{R: resp.Body, N: max + 1}
	for {
		if len(dst) == cap(dst) {
			dst = slices.Grow(dst, 512)
		}
		n, err := lr.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}

// maxErrorBody bounds what is read of a refusal's body for its reason.
const maxErrorBody = 8 << 10

// statusFailure classifies a non-2xx answer.
func (s *HTTPSource) statusFailure(c *fetchCall, resp *http.Response) (*Page, *retryable, error) {
	st := resp.StatusCode
	reason := fmt.Sprintf("status %d", st)
	switch {
	case st == http.StatusUnauthorized || st == http.StatusForbidden:
		// Retrying would only hammer the vendor with credentials it
		// refuses, and may lock the account. The vendor's own reason
		// ("Invalid timestamp.", "Consumer secret is invalid.") tells
		// which key, or the host's clock, is wrong.
		if body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody)); err == nil {
			if code, message := vendorerr.Read(body); code != "" || message != "" {
				reason += " " + s.creds.Scrub(code)
				if message != "" {
					reason += " " + quote.String(s.creds.Scrub(message))
				}
			}
		}
		if keys := s.creds.ConfigKeys(nil); keys != "" {
			reason += " (check configuration keys " + keys + ")"
		}
		err := fmt.Errorf("poller: instance %s: %s: GET %s: %s: %w", quote.Cut(s.instanceID), c.resource, c.redacted, reason, ErrUnauthorized)
		if s.onAuth != nil {
			s.onAuth(c.resource, err)
		}
		return nil, nil, err
	case st == http.StatusTooManyRequests || st == http.StatusServiceUnavailable:
		after := time.Duration(-1)
		if d, ok := retryAfter(resp.Header, s.clock.Now()); ok {
			after = d
		}
		return nil, &retryable{reason: reason, retryAfter: after}, nil
	case st == http.StatusRequestTimeout || st >= 500:
		return nil, &retryable{reason: reason, retryAfter: -1}, nil
	default:
		return nil, nil, fmt.Errorf("poller: %s: GET %s: %s: %w", c.resource, c.redacted, reason, ErrVendor)
	}
}

// readPage reads the records, totals and next token of a 2xx body,
// held by buf, into buf.
func (s *HTTPSource) readPage(c *fetchCall, resp *http.Response, buf *pageBuf) (*Page, error) {
	pb, err := s.pages.read(buf.body, c.plan.records, c.plan.x, buf)
	if err != nil {
		return nil, err
	}
	page := buf.newPage(pb, c.plan.x)
	page.URL = c.redacted
	page.Total, page.TotalPages = s.totals(resp.Header, pb)
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		page.Date = d
	}
	fetched := c.url
	if resp.Request != nil && resp.Request.URL != nil {
		fetched = resp.Request.URL // after redirects, links are relative to it
	}
	page.Next, err = s.nextToken(pageState{
		cursor: c.cursor, size: c.size, page: page, header: resp.Header, body: pb, fetched: fetched, first: c.first,
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// redact returns u for errors and Page.URL: without user info or
// fragment, and with the values of the query-auth parameter and of
// parameters whose names look secret replaced (see [netguard.RedactURL]),
// so that a key written into a resource URL by hand is redacted too.
func (s *HTTPSource) redact(u *url.URL) string {
	return redact.URL(u, s.isAuthParam)
}

// isAuthParam reports whether the query parameter name carries a
// credential.
func (s *HTTPSource) isAuthParam(name string) bool { return s.creds.IsAuthParam(name) }

// dropAuthParams removes from a raw query the parameters that carry
// credentials (for oauth1, every oauth_* parameter), which WooCommerce's next-page links
// echo from the request before: Fetch adds them back, signed afresh.
func (s *HTTPSource) dropAuthParams(rawQuery string) string {
	return rawquery.DeleteFunc(rawQuery, s.creds.IsAuthParam)
}

// scrubURLError drops the URL a *url.Error carries, which may hold the
// query-auth key; the caller's message names the redacted URL instead.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// drainBody reads what is left of a body, up to a bound, and closes it,
// so that the connection can be reused without reading an endless body.
func drainBody(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}
