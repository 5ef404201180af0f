package poller

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/internal/vocab"
)

// The poller reaches only what its [netguard.Guard] allows: the instance's
// store.url is a tenant's input, and without the guard a tenant could have
// the poller fetch an internal address and publish what it answers to the
// tenant's own callback.

// errOffOrigin is the cause of a redirect the poller refuses to follow.
var errOffOrigin = errors.New("redirect to another origin refused")

// errRedirectRefused is the cause of a same-origin redirect the guard
// refuses (an https-only guard redirected to http).
var errRedirectRefused = errors.New("redirect refused")

// newClient returns the client of a source: cfg.Client (a copy) or a new
// one over cfg.Transport, with the guard applied to its transport and the
// source's redirect rule ahead of the client's own.
func (s *HTTPSource) newClient(cfg HTTPConfig) *http.Client {
	c := &http.Client{Transport: cfg.Transport}
	if cfg.Client != nil {
		cp := *cfg.Client
		c = &cp
	}
	c.Transport = s.guard.RoundTripper(c.Transport)
	own := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := s.checkRedirect(req, via); err != nil {
			return err
		}
		if own != nil {
			if err := own(req, via); err != nil {
				return err
			}
		}
		// A redirected request is a new request: under OAuth 1.0a it
		// needs a nonce and a signature of its own, over its own URL (the
		// client would otherwise resend the used ones).
		if s.creds.Style() == vocab.AuthOAuth1 {
			return s.creds.Authorize(req)
		}
		return nil
	}
	return c
}

// checkRedirect is the rule every redirect meets, whatever the client: at
// most 10 redirects, each on the first request's origin (scheme, host and
// port), the rule pagination follows too, and each allowed by the guard.
// A vendor's redirect elsewhere could make the poller fetch an internal
// address and publish what it answers.
func (s *HTTPSource) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	refused := s.guard.CheckURL(req.URL)
	switch {
	case !sameOrigin(req.URL, via[0].URL) && refused != nil:
		return fmt.Errorf("%w: %s: %w", errOffOrigin, quote.String(req.URL.Host), refused)
	case !sameOrigin(req.URL, via[0].URL):
		return fmt.Errorf("%w: %s", errOffOrigin, quote.String(req.URL.Host))
	case refused != nil:
		return fmt.Errorf("%w: %w", errRedirectRefused, refused)
	}
	return nil
}

// checkNextURL is the guard's check of a next-page URL the vendor gave,
// added to the same-origin rule's error, if any.
func (s *HTTPSource) checkNextURL(u *url.URL, origin error) error {
	refused := s.guard.CheckURL(u)
	switch {
	case refused == nil:
		return origin
	case origin == nil:
		return fmt.Errorf("next page URL: %w", refused)
	}
	return fmt.Errorf("%w: %w", origin, refused)
}

// checkConfiguredURLs refuses, before any request, a base URL or absolute
// resource URL whose host the guard refuses without resolving it (an IP
// literal, a numeric host, localhost). The error names the configuration
// key.
func (s *HTTPSource) checkConfiguredURLs() error {
	if err := s.checkConfiguredURL(s.base, s.baseKey); err != nil {
		return err
	}
	for name, p := range s.plans {
		if !p.absolute {
			continue // under the base URL, checked above
		}
		if err := s.checkConfiguredURL(p.url.Expand(time.Unix(0, 0).UTC()), resourceURLKey(name)); err != nil {
			return err
		}
	}
	return nil
}

func (s *HTTPSource) checkConfiguredURL(raw, key string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return nil // reported where the URL is used, without quoting it
	}
	if err := s.guard.CheckURL(u); err != nil {
		return fmt.Errorf("poller: instance %s: %s: %w: %w", quote.Cut(s.instanceID), key, ErrConfig, err)
	}
	return nil
}

// refusedError is the error of a request that the guard refused, for good:
// it names the instance and where the URL came from, a configuration key
// for the URLs the instance configures, the resource for the links the
// vendor gives.
func (s *HTTPSource) refusedError(c *fetchCall, from string, err error) error {
	return fmt.Errorf("poller: instance %s: %s: GET %s: %w", quote.Cut(s.instanceID), from, c.redacted, err)
}

// resourceURLKey is the configuration key of a resource's URL.
func resourceURLKey(resource string) string {
	return vocab.KeyPollerConfiguration + "." + resource + ".url"
}

// baseURLKey names where the base URL comes from: HTTPConfig.BaseURL, or
// the configuration keys the definition's base URL template refers to.
func baseURLKey(cfg HTTPConfig, def *element.Definition) string {
	if cfg.BaseURL != "" {
		return "HTTPConfig.BaseURL"
	}
	keys := def.BaseURLKeys()
	if len(keys) == 0 {
		return def.Key + " baseUrl"
	}
	return strings.Join(keys, ", ")
}
