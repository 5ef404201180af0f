package poller

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"

	"github.com/a12b7632/elementevents/internal/redact"
)

// An HTTPSource holds the vendor's credentials and a Poller the signing
// key, in unexported fields that fmt would print without asking them to
// redact themselves. Both print a summary instead, in every fmt verb and
// in log/slog: what they poll, never a credential.

// Format prints the instance, the element, the base URL without
// credentials and the auth style; never a credential.
func (s *HTTPSource) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.GoString()) }

// GoString is used by %#v; it prints what Format prints.
func (s *HTTPSource) GoString() string {
	if s == nil {
		return "(*poller.HTTPSource)(nil)"
	}
	return fmt.Sprintf("&poller.HTTPSource{Instance: %q, Element: %q, BaseURL: %q, Auth: %q}",
		s.instanceID, s.def.Key, s.redactedBase(), s.creds.Style())
}

// LogValue is what Format prints, as attributes.
func (s *HTTPSource) LogValue() slog.Value {
	if s == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(
		slog.String("instance", s.instanceID),
		slog.String("element", s.def.Key),
		slog.String("base_url", s.redactedBase()),
		slog.String("auth", string(s.creds.Style())),
	)
}

// redactedBase is the base URL without credentials.
func (s *HTTPSource) redactedBase() string {
	u, err := url.Parse(s.base)
	if err != nil {
		return "(unparseable URL)"
	}
	return redact.URL(u, s.isAuthParam)
}

// Format prints the instance, the element, the resources and the callback
// endpoint, redacted; never the signing key.
func (p *Poller) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, p.GoString()) }

// GoString is used by %#v; it prints what Format prints.
func (p *Poller) GoString() string {
	if p == nil {
		return "(*poller.Poller)(nil)"
	}
	return fmt.Sprintf("&poller.Poller{Instance: %q, Element: %q, Resources: %q, Endpoint: %v}",
		p.instance.ID, p.instance.ElementKey, strings.Join(p.Resources(), ","), p.endpoint)
}

// LogValue is what Format prints, as attributes.
func (p *Poller) LogValue() slog.Value {
	if p == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(
		slog.String("instance", p.instance.ID),
		slog.String("element", p.instance.ElementKey),
		slog.Any("resources", p.Resources()),
		slog.Any("endpoint", p.endpoint),
	)
}
