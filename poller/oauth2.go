package poller

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/vendorauth"
)

// tokenStoreKey is the key of an instance's OAuth 2 tokens in a
// vendorauth.TokenStore.
func tokenStoreKey(elementKey, instanceID string) string { return elementKey + "/" + instanceID }

// newOAuth2 returns the OAuth 2 client of auth a for cfg's instance.
func newOAuth2(cfg HTTPConfig, def *element.Definition, a element.Auth, get func(string) (vendorauth.Secret, error)) (*vendorauth.OAuth2, error) {
	conf := cfg.Instance.Configuration
	tokenURL, err := def.ExpandTokenURL(a, conf.Get)
	if err != nil {
		return nil, fmt.Errorf("poller: %s token URL: %w: %w", def.Key, ErrConfig, err)
	}
	id, err := get(a.ClientIDKey)
	if err != nil {
		return nil, err
	}
	secret, err := get(a.ClientSecretKey)
	if err != nil {
		return nil, err
	}
	oc := vendorauth.OAuth2Config{
		TokenURL: tokenURL, Grant: "client_credentials", ClientID: string(id), ClientSecret: secret,
		Scopes: a.Scopes, AuthInBody: a.Placement == vocab.PlacementBody,
		Store: cfg.Tokens, Key: tokenStoreKey(def.Key, cfg.Instance.ID),
		Guard: cfg.Guard, Transport: cfg.Transport, Clock: cfg.Clock,
		ClientSecretKey: a.ClientSecretKey, RefreshTokenKey: a.RefreshTokenKey,
		Logger: cfg.logger, OnRecovered: cfg.onRecovered,
	}
	if cfg.Client != nil {
		oc.Transport = cfg.Client.Transport
	}
	if a.Style == vocab.AuthOAuth2Refresh {
		oc.Grant = "refresh_token"
		if oc.RefreshToken, err = get(a.RefreshTokenKey); err != nil {
			return nil, err
		}
	}
	o, err := vendorauth.NewOAuth2(oc)
	if err != nil {
		return nil, fmt.Errorf("poller: %s auth: %w: %w", def.Key, ErrConfig, err)
	}
	return o, nil
}

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
		return nil, nil, fmt.Errorf("poller: instance %s: %s%s: %w: %w", quote.Cut(s.instanceID), c.resource, s.tokenURLFrom(te), ErrConfig, err)
	case isToken && te.Retryable:
		return nil, &retryable{reason: fmt.Sprintf("instance %s: token request failed%s", quote.Cut(s.instanceID), s.tokenURLFrom(te)),
			err: err, retryAfter: -1}, nil
	case isToken:
		err = fmt.Errorf("poller: instance %s: %s%s: %w: %w", quote.Cut(s.instanceID), c.resource, s.tokenURLFrom(te), ErrUnauthorized, err)
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
	if s.auth.oauth2 == nil || c.renewed || resp.Request == nil ||
		(st == http.StatusForbidden && !s.auth.forbiddenExpired) {
		return nil, nil
	}
	c.renewed = true
	if err := s.auth.oauth2.Refresh(resp.Request); err != nil {
		_, fail, err := s.authFailure(ctx, resp.Request.Context(), c, err)
		return fail, err
	}
	return &retryable{reason: fmt.Sprintf("status %d: access token renewed", st), again: true}, nil
}

// tokenURLFrom names the configuration key the token URL comes from, for
// a failure no credential key is to blame for (an endpoint answering
// HTML, 500): the URL may be the one to fix.
func (s *HTTPSource) tokenURLFrom(te *vendorauth.TokenError) string {
	if (te != nil && te.ConfigKey != "") || s.auth.tokenURLKey == "" {
		return ""
	}
	return " (token URL from configuration key " + s.auth.tokenURLKey + ")"
}
