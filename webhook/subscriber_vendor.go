package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/internal/vendorerr"
	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/vendorauth"
)

// maxVendorBody bounds what is read of a vendor's answer: a page of
// webhooks is a few kilobytes.
const maxVendorBody = 4 << 20

// retryDelays are the waits before the second and third attempt of a
// request that failed in a way a retry can mend (5xx, 429, network).
var retryDelays = [...]time.Duration{time.Second, 5 * time.Second}

// vendorHook is a vendor's webhook as listed.
type vendorHook struct {
	id, name, topic, deliveryURL, status string
}

// vendorClient talks to one instance's webhooks collection.
type vendorClient struct {
	instanceID, element string
	base                string // the collection's URL, no trailing slash
	sub                 element.Subscription
	pagination          element.Pagination
	client              *http.Client
	clock               clockwork.Clock
	creds               *vendorauth.Credentials
	urlKey              string // the configuration keys of the base URL, for errors
}

// newVendorClient reads the instance's base URL and credentials as its
// definition says. Errors name the configuration key at fault.
func newVendorClient(s *Subscriber, inst *element.Instance, def *element.Definition) (*vendorClient, error) {
	base, err := def.ExpandBaseURL(inst.Configuration.Get)
	if err != nil {
		return nil, &SubscriptionError{Instance: inst.ID, Element: def.Key, Op: "configure", ConfigKey: strings.Join(def.BaseURLKeys(), ", "), Err: err}
	}
	creds, err := vendorauth.NewCredentials(vendorauth.CredentialsConfig{
		Instance: inst, Definition: def, BaseURL: base, Clock: s.clock,
		// Token requests go through the vendor client's guarded
		// transport, with its timeout and none of its redirects.
		Guard: s.guard, Transport: s.client.Transport, Tokens: s.tokens, Logger: s.log,
	})
	if err != nil {
		key := ""
		if ce, ok := errors.AsType[*vendorauth.ConfigError](err); ok {
			key = ce.Key
		}
		return nil, &SubscriptionError{Instance: inst.ID, Element: def.Key, Op: "configure", ConfigKey: key, Err: err}
	}
	return &vendorClient{
		instanceID: inst.ID, element: def.Key, base: base + def.Webhook.Subscription.Path,
		sub: def.Webhook.Subscription, pagination: def.Pagination, client: s.client, clock: s.clock,
		creds: creds, urlKey: strings.Join(def.BaseURLKeys(), ", "),
	}, nil
}

// list returns every webhook in the collection, page after page.
func (c *vendorClient) list(ctx context.Context) ([]vendorHook, error) {
	var all []vendorHook
	p := c.pagination
	for page := p.FirstPage; ; page++ {
		q := url.Values{}
		paged := p.Style == vocab.PaginationPage
		if paged {
			q.Set(p.PageParam, strconv.Itoa(page))
			if c.sub.PageSize > 0 && p.SizeParam != "" {
				q.Set(p.SizeParam, strconv.Itoa(c.sub.PageSize))
			}
		}
		body, header, err := c.do(ctx, "list", http.MethodGet, c.base, q.Encode(), nil)
		if err != nil {
			return nil, err
		}
		hooks, err := c.decodeList(body)
		if err != nil {
			return nil, &SubscriptionError{Instance: c.instanceID, Element: c.element, Op: "list", Err: err}
		}
		all = append(all, hooks...)
		if !paged || len(hooks) == 0 {
			return all, nil
		}
		if p.TotalPagesHeader != "" {
			if n, err := strconv.Atoi(header.Get(p.TotalPagesHeader)); err == nil {
				if page-p.FirstPage+1 >= n {
					return all, nil
				}
				continue
			}
		}
		if c.sub.PageSize > 0 && len(hooks) < c.sub.PageSize {
			return all, nil
		}
		if page-p.FirstPage >= 1000 {
			return nil, &SubscriptionError{Instance: c.instanceID, Element: c.element, Op: "list", Err: errors.New("more than 1000 pages of webhooks")}
		}
	}
}

// decodeList reads a page: a JSON array of webhooks.
func (c *vendorClient) decodeList(body []byte) ([]vendorHook, error) {
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("the list of webhooks is not a JSON array of objects: %w", err)
	}
	hooks := make([]vendorHook, 0, len(raw))
	for _, m := range raw {
		hooks = append(hooks, c.hookOf(m))
	}
	return hooks, nil
}

// hookOf reads the fields of one webhook; an id may be a number or a
// string.
func (c *vendorClient) hookOf(m map[string]json.RawMessage) vendorHook {
	field := func(name string) string {
		raw := m[name]
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return string(bytes.TrimSpace(raw))
	}
	return vendorHook{
		id: field(c.sub.IDField), name: field(c.sub.NameField), topic: field(c.sub.TopicField),
		deliveryURL: field(c.sub.DeliveryURLField), status: field(c.sub.StatusField),
	}
}

// create registers a webhook; secret is sent, never logged.
func (c *vendorClient) create(ctx context.Context, h vendorHook, secret vendorauth.Secret) error {
	_, _, err := c.do(ctx, "create "+h.topic, http.MethodPost, c.base, "", c.body(h, secret))
	return err
}

// update sets every field of webhook id to h's.
func (c *vendorClient) update(ctx context.Context, id string, h vendorHook, secret vendorauth.Secret) error {
	_, _, err := c.do(ctx, "update "+h.topic, c.sub.UpdateMethod, c.base+"/"+url.PathEscape(id), "", c.body(h, secret))
	return err
}

// remove deletes webhook id.
func (c *vendorClient) remove(ctx context.Context, h vendorHook) error {
	_, _, err := c.do(ctx, "delete "+h.topic, http.MethodDelete, c.base+"/"+url.PathEscape(h.id), c.sub.DeleteQuery, nil)
	return err
}

func (c *vendorClient) body(h vendorHook, secret vendorauth.Secret) []byte {
	b, _ := json.Marshal(map[string]string{
		c.sub.NameField: h.name, c.sub.TopicField: h.topic, c.sub.DeliveryURLField: h.deliveryURL,
		c.sub.SecretField: string(secret), c.sub.StatusField: c.sub.ActiveStatus,
	})
	return b
}

// do sends one request, retrying what a retry can mend, and returns the
// body of a 2xx answer. Errors are [*SubscriptionError]s.
func (c *vendorClient) do(ctx context.Context, op, method, target, query string, body []byte) ([]byte, http.Header, error) {
	var last error
	renewed := false
	for attempt := 0; ; attempt++ {
		b, h, err, retry := c.once(ctx, op, method, target, query, body, &renewed)
		if err == errRenewed {
			attempt-- // the renewed token's try is not one of the retries
			continue
		}
		if err == nil || !retry || attempt >= len(retryDelays) {
			return b, h, err
		}
		last = err
		select {
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("%w (after %w)", ctx.Err(), last)
		case <-c.clock.After(retryDelays[attempt]):
		}
	}
}

// errRenewed tells do to send the request again at once: the vendor
// refused an OAuth 2 access token, and a new one was obtained.
var errRenewed = errors.New("access token renewed")

// once sends one request and says whether a failure is worth a retry.
// The first 401 (or 403 meaning an expired token) of a request renews an
// OAuth 2 access token, setting *renewed, and answers errRenewed.
func (c *vendorClient) once(ctx context.Context, op, method, target, query string, body []byte, renewed *bool) ([]byte, http.Header, error, bool) {
	fail := func(status int, err error) *SubscriptionError {
		return &SubscriptionError{Instance: c.instanceID, Element: c.element, Op: op, StatusCode: status, Err: err}
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, nil, fail(0, err), false
	}
	req.URL.RawQuery = query
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if err := c.creds.Authorize(req); err != nil {
		return nil, nil, c.authFailure(fail(0, err)), c.retryAuth(ctx, err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		// The URL of a url.Error carries the query, which may hold a
		// signature or a token: name the endpoint without it.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = fmt.Errorf("%s %s: %w", ue.Op, quote.Cut(target), ue.Err)
		}
		e := fail(0, err)
		e.ConfigKey = c.baseKey()
		// The guard's refusal stands however often it is asked.
		return nil, nil, e, ctx.Err() == nil && !errors.Is(err, netguard.ErrRefused)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxVendorBody))
	if err != nil {
		return nil, nil, fail(resp.StatusCode, fmt.Errorf("reading the answer: %w", err)), true
	}
	if resp.StatusCode/100 == 2 {
		return data, resp.Header, nil, false
	}
	if st := resp.StatusCode; (st == http.StatusUnauthorized || st == http.StatusForbidden) && !*renewed {
		*renewed = true
		ok, err := c.creds.Renew(req, st)
		if err != nil {
			return nil, nil, c.authFailure(fail(0, err)), c.retryAuth(ctx, err)
		}
		if ok {
			return nil, nil, errRenewed, true
		}
	}
	e := fail(resp.StatusCode, errors.New(http.StatusText(resp.StatusCode)))
	code, message := vendorerr.Read(data)
	e.Code, e.Message = c.creds.Scrub(code), c.creds.Scrub(message)
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		e.ConfigKey = c.creds.ConfigKeys(nil)
	case resp.StatusCode == http.StatusNotFound && op == "list":
		e.ConfigKey = c.baseKey()
	case resp.StatusCode == http.StatusBadRequest && op != "list":
		// What a vendor refuses in a webhook is its topic, made of the
		// objects the instance asks for.
		e.ConfigKey = "event.objects"
	}
	retry := resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout
	if resp.StatusCode == http.StatusNotImplemented {
		retry = false // a route the vendor does not have
	}
	return nil, nil, e, retry
}

// authFailure names in e, a failure to authorise a request, the
// configuration key to fix.
func (c *vendorClient) authFailure(e *SubscriptionError) *SubscriptionError {
	e.ConfigKey = c.creds.ConfigKeys(e.Err)
	return e
}

// retryAuth reports whether a failure to authorise may pass on another
// try: a token endpoint that answered 5xx or 429, or could not be reached.
func (c *vendorClient) retryAuth(ctx context.Context, err error) bool {
	te, ok := errors.AsType[*vendorauth.TokenError](err)
	return ok && te.Retryable && ctx.Err() == nil
}

// baseKey is the configuration key of the vendor's address.
func (c *vendorClient) baseKey() string { return c.urlKey }
