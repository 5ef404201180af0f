package poller

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/vendorauth"
)

// authFailure classifies an error of authorize or of a forced refresh:
// a refused authorisation or a refused client stops (wrapping
// ErrUnauthorized), a token endpoint that may answer later is retried.
func (s *HTTPSource) authFailure(ctx context.Context, actx context.Context, c *fetchCall, err error) (*Page, *retryable, error) {
	var te *vendorauth.TokenError
	isToken := errors.As(err, &te)
	switch {
	case ctx.Err() != nil:
		return nil, nil, fmt.Errorf("poller: %s: GET %s: %w", c.resource, c.redacted, ctx.Err())
	case errors.Is(context.Cause(actx), errAttemptTimeout):
		return nil, &retryable{reason: fmt.Sprintf("token request timed out after %s", s.timeout), retryAfter: -1}, nil
	case errors.Is(err, netguard.ErrRefused):
		// Permanent, as a refused page URL is.
		return nil, nil, fmt.Errorf("poller: instance %s: %s%s: %w: %w", quote.Cut(s.instanceID), c.resource, s.tokenURLFrom(err), ErrConfig, err)
	case isToken && te.Retryable:
		return nil, &retryable{reason: fmt.Sprintf("instance %s: token request failed%s", quote.Cut(s.instanceID), s.tokenURLFrom(err)),
			err: err, retryAfter: -1}, nil
	case isToken:
		err = fmt.Errorf("poller: instance %s: %s%s: %w: %w", quote.Cut(s.instanceID), c.resource, s.tokenURLFrom(err), ErrUnauthorized, err)
		if s.onAuth != nil && !te.Reauthorize {
			s.onAuth(c.resource, err)
		}
		return nil, nil, err
	}
	return nil, nil, fmt.Errorf("poller: %s: GET %s: %w: %w", c.resource, c.redacted, ErrConfig, err)
}

// renew answers a 401 (or a 403 where the definition says it means an
// expired token) under OAuth 2: the first of a page request renews the
// access token, and fail says to ask for the page again at once. Both
// nil: there is nothing to renew.
func (s *HTTPSource) renew(ctx context.Context, c *fetchCall, resp *http.Response) (*retryable, error) {
	st := resp.StatusCode
	if c.renewed || resp.Request == nil {
		return nil, nil
	}
	renewed, err := s.creds.Renew(resp.Request, st)
	if err != nil {
		c.renewed = true
		_, fail, err := s.authFailure(ctx, resp.Request.Context(), c, err)
		return fail, err
	}
	if !renewed {
		return nil, nil
	}
	c.renewed = true
	return &retryable{reason: fmt.Sprintf("status %d: access token renewed", st), again: true}, nil
}

// tokenURLFrom names the configuration key the token URL comes from, for
// a failure no credential key is to blame for (an endpoint answering
// HTML, 500): the URL may be the one to fix.
func (s *HTTPSource) tokenURLFrom(err error) string {
	if te, ok := errors.AsType[*vendorauth.TokenError](err); ok && te.ConfigKey != "" {
		return ""
	}
	key := s.creds.ConfigKeys(err)
	if key == "" {
		return ""
	}
	return " (token URL from configuration key " + key + ")"
}
