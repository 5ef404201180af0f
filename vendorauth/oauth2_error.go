package vendorauth

import (
	"cmp"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/netguard"
)

// TokenError reports a token request that failed: the vendor refused it,
// answered something that is not a token, or could not be reached. It
// never holds a secret; the vendor's error_description is cut short and
// scrubbed of the configured ones.
type TokenError struct {
	// TokenURL is the token endpoint, with credentials redacted.
	TokenURL string
	// Status is the HTTP status of the answer; 0 when there was none.
	Status int
	// Code is the OAuth 2 error code of the answer ("invalid_grant"),
	// if any.
	Code string
	// ConfigKey is the configuration key to fix, when one is to blame
	// ("oauth.refresh.token" for invalid_grant, the client secret's key
	// for invalid_client).
	ConfigKey string
	// Reauthorize reports a refused authorisation (invalid_grant): the
	// refresh token is expired, revoked or already used, and only a new
	// one, from the user authorising again, helps. Such an error matches
	// [ErrReauthorize].
	Reauthorize bool
	// Retryable reports a failure another try may cure: a 5xx or 429
	// answer, a timeout, a network error.
	Retryable bool
	// Refused is when the chain was first found refused, as the token
	// store records it (set with Reauthorize): the same for every replica
	// and every later try, so that what is derived from it, such as the
	// id of a status notification, is too.
	Refused time.Time

	reason string
	cause  error // a network error, never the vendor's body
}

// Error says what the token endpoint answered and which configuration
// key fixes it; never a credential.
func (e *TokenError) Error() string {
	var b strings.Builder
	b.WriteString("vendorauth: token request to ")
	b.WriteString(e.TokenURL)
	b.WriteString(": ")
	b.WriteString(e.reason)
	if e.ConfigKey != "" {
		b.WriteString(" (check configuration key ")
		b.WriteString(e.ConfigKey)
		b.WriteString(")")
	}
	if e.cause != nil {
		b.WriteString(": ")
		b.WriteString(e.cause.Error())
	}
	return b.String()
}

// Unwrap returns the network error behind a failure, if any.
func (e *TokenError) Unwrap() error { return e.cause }

// Is makes a refused authorisation match [ErrReauthorize].
func (e *TokenError) Is(target error) bool { return target == ErrReauthorize && e.Reauthorize }

func (o *OAuth2) reauthError(cause error, reason string) *TokenError {
	return &TokenError{TokenURL: o.tokenURL, Code: "invalid_grant", ConfigKey: o.cfg.RefreshTokenKey,
		Reauthorize: true, reason: reason, cause: cause}
}

// classify turns what x/oauth2 returned into a TokenError. rt is the
// refresh token sent, scrubbed from the vendor's text with the others.
func (o *OAuth2) classify(err error, last *lastResponse, timedOut bool, rt Secret) *TokenError {
	e := &TokenError{TokenURL: o.tokenURL, Status: last.status}
	var re *oauth2.RetrieveError
	switch {
	case timedOut:
		e.Retryable, e.reason = true, fmt.Sprintf("no answer within %s", o.cfg.Timeout)
		return e
	case errors.As(err, &re):
		if re.Response != nil {
			e.Status = re.Response.StatusCode
		}
		e.Code = quote.CutN(o.scrub(re.ErrorCode, rt), 64)
	case errors.Is(err, netguard.ErrRefused):
		// Final: the address stays refused, whatever the try.
		e.reason, e.cause = "refused by the SSRF guard", scrubURLError(err)
		return e
	case last.status == 0:
		// No answer: x/oauth2 returns the client's error as is.
		e.Retryable, e.reason, e.cause = true, "network error", scrubURLError(err)
		return e
	}
	e.Retryable = e.Status >= 500 || e.Status == http.StatusTooManyRequests
	switch e.Code {
	case "":
	case "invalid_grant":
		if o.cfg.Grant == grantRefreshToken {
			e.Reauthorize, e.ConfigKey = true, o.cfg.RefreshTokenKey
			e.reason = "the refresh token was refused (invalid_grant: expired, revoked or already used); re-authorise and set a new one"
		}
	case "invalid_client", "unauthorized_client":
		e.ConfigKey = o.cfg.ClientSecretKey
	}
	if e.reason == "" {
		e.reason = o.describe(e, re, last, rt)
	}
	return e
}

// describe says what the endpoint answered, in words safe to log.
func (o *OAuth2) describe(e *TokenError, re *oauth2.RetrieveError, last *lastResponse, rt Secret) string {
	media, _, _ := mime.ParseMediaType(last.contentType)
	media = cmp.Or(media, "no Content-Type")
	switch {
	case e.Code != "":
		s := fmt.Sprintf("status %d, error %s", e.Status, quote.Cut(e.Code))
		if re.ErrorDescription != "" {
			s += ": " + quote.Cut(o.scrub(re.ErrorDescription, rt))
		}
		return s
	case e.Status >= 200 && e.Status <= 299:
		return fmt.Sprintf("status %d with a body that is not a token response (%s)", e.Status, media)
	default:
		return fmt.Sprintf("status %d (%s)", e.Status, media)
	}
}

// scrub replaces the secrets o knows in text from the vendor, which may
// echo what it was sent.
func (o *OAuth2) scrub(s string, rt Secret) string {
	for _, v := range append(o.secrets, rt) {
		if v != "" {
			s = strings.ReplaceAll(s, string(v), redacted)
		}
	}
	return s
}

// scrubURLError drops the URL a *url.Error carries; the message names
// the redacted token URL instead.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// expiresIn returns the token's lifetime in seconds: x/oauth2 reads
// expires_in only from JSON answers, so a form answer's is read here.
func expiresIn(t *oauth2.Token) int64 {
	if t.ExpiresIn > 0 {
		return t.ExpiresIn
	}
	switch v := t.Extra("expires_in").(type) {
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}
