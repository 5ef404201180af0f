package webhook

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/internal/vocab"
)

// maxInstanceID bounds the instance ids the handler tries to decode as
// base64, so that a long path costs no more than a short one.
const maxInstanceID = 1024

// routeOf returns the element key and the instance id a request names: the
// {elementKey} and {instanceID} wildcards of the ServeMux pattern that
// routed it; else a path ending in /events/{elementKey}/{instanceID} (for a
// handler mounted without a pattern, under http.StripPrefix for example);
// else the Element-Instances header, with the {elementKey} wildcard if any.
func routeOf(r *http.Request) (elementKey, instanceID string) {
	elementKey = r.PathValue("elementKey")
	if instanceID = r.PathValue("instanceID"); instanceID != "" {
		return elementKey, instanceID
	}
	if k, id, ok := eventsPath(r.URL); ok {
		return k, id
	}
	return elementKey, strings.TrimSpace(firstHeader(r.Header, HeaderElementInstances))
}

// eventsPath reads .../events/{elementKey}/{instanceID}[/] from the escaped
// path, so that an instance id with an escaped slash survives.
func eventsPath(u *url.URL) (elementKey, instanceID string, ok bool) {
	p := strings.TrimSuffix(u.EscapedPath(), "/")
	var segs [3]string
	for i := 2; i > 0; i-- {
		j := strings.LastIndexByte(p, '/')
		if j < 0 {
			return "", "", false
		}
		segs[i], p = p[j+1:], p[:j]
	}
	// What is left ends with the first segment; StripPrefix("/x/") leaves
	// no slash before it.
	segs[0] = p[strings.LastIndexByte(p, '/')+1:]
	if segs[0] != "events" || segs[1] == "" || segs[2] == "" {
		return "", "", false
	}
	key, err1 := url.PathUnescape(segs[1])
	id, err2 := url.PathUnescape(segs[2])
	if err1 != nil || err2 != nil {
		return "", "", false
	}
	return key, id, true
}

// findInstance resolves the instance named by the request: the id as
// given, then, if that is unknown, the id decoded from base64 (standard or
// URL-safe, padded or not), as Cloud Elements wrote ids in URLs. It returns
// the instance and its id (the instance's ID, or the id it was found by when
// the resolver left ID empty).
func (h *Handler) findInstance(ctx context.Context, elementKey, id string) (*element.Instance, string, error) {
	inst, err := h.lookup(ctx, elementKey, id)
	if err == nil {
		return inst, idOf(inst, id), nil
	}
	if !errors.Is(err, ErrUnknownInstance) {
		return nil, "", err
	}
	decoded, ok := decodeBase64ID(id)
	if !ok {
		return nil, "", err
	}
	inst, err2 := h.lookup(ctx, elementKey, decoded)
	if err2 != nil {
		if errors.Is(err2, ErrUnknownInstance) {
			return nil, "", err // report the id as the vendor sent it
		}
		return nil, "", err2
	}
	return inst, idOf(inst, decoded), nil
}

// lookup calls the resolver and holds it to its contract: an instance, of
// the element the path names.
func (h *Handler) lookup(ctx context.Context, elementKey, id string) (*element.Instance, error) {
	inst, err := h.resolve(ctx, elementKey, id)
	switch {
	case err != nil:
		return nil, err
	case inst == nil:
		return nil, fmt.Errorf("%w: %s", ErrUnknownInstance, quote.String(id))
	case elementKey != "" && inst.Element.Key != elementKey:
		return nil, fmt.Errorf("%w: %s is not an instance of %s", ErrUnknownInstance, quote.String(id), quote.String(elementKey))
	}
	return inst, nil
}

func idOf(inst *element.Instance, id string) string {
	if inst.ID != "" {
		return inst.ID
	}
	return id
}

// base64IDEncodings are tried in turn on an unknown instance id.
var base64IDEncodings = [...]*base64.Encoding{
	base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding,
}

// decodeBase64ID decodes an instance id written in base64. Only printable
// UTF-8 results count: a plain id that happens to be valid base64 decodes
// to bytes that are not, and is not looked up twice for nothing.
func decodeBase64ID(s string) (string, bool) {
	if len(s) < 2 || len(s) > maxInstanceID {
		return "", false
	}
	for _, enc := range base64IDEncodings {
		b, err := enc.DecodeString(s)
		if err != nil || len(b) == 0 || !printable(b) {
			continue
		}
		if d := string(b); d != s {
			return d, true
		}
	}
	return "", false
}

func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// prepared is what the handler compiles from an instance and its element
// definition: the verifier, the normalizer, the methods. It is built the
// first time an instance is seen and reused while the instance's element
// and webhook secret stay the same.
type prepared struct {
	inst       *element.Instance // the instance it was built from
	elementKey string
	secretKey  string // the configuration key of the webhook secret
	secret     string // its value when built, to notice a rotation

	verify *verifier
	norm   *normalizer

	methods        []string
	allow          string // the Allow header of a 405
	formEncoded    bool
	deliveryHeader string // canonical; "" when the vendor sends no delivery id
	pingField      string
}

// loadStatic prepares Config.Instances, warning about those whose webhooks
// cannot be verified.
func (h *Handler) loadStatic(list []*element.Instance) error {
	h.static = make(map[string]*prepared, len(list))
	for i, inst := range list {
		switch {
		case inst == nil:
			return fmt.Errorf("webhook: Config.Instances[%d] is nil", i)
		case inst.ID == "":
			return fmt.Errorf("webhook: Config.Instances[%d] has no ID", i)
		case h.static[inst.ID] != nil:
			return fmt.Errorf("webhook: Config.Instances has two instances with ID %s", quote.String(inst.ID))
		}
		p, err := h.build(inst.ID, inst)
		if err != nil {
			return fmt.Errorf("webhook: Config.Instances[%d] (ID %s): %w", i, quote.String(inst.ID), err)
		}
		h.static[inst.ID] = p
		h.warnUnverified(inst.ID, p)
	}
	return nil
}

// resolveStatic is the resolver of Config.Instances.
func (h *Handler) resolveStatic(_ context.Context, _, id string) (*element.Instance, error) {
	if p, ok := h.static[id]; ok {
		return p.inst, nil
	}
	return nil, fmt.Errorf("%w: %s", ErrUnknownInstance, quote.String(id))
}

// prepare returns the compiled state of an instance, building it the first
// time the instance is seen or when its element or webhook secret changed.
func (h *Handler) prepare(id string, inst *element.Instance) (*prepared, error) {
	if h.static != nil {
		if p := h.static[id]; p != nil && p.inst == inst {
			return p, nil
		}
	}
	old, loaded := h.cache.Load(id)
	if loaded {
		p := old.(*prepared)
		if p.inst == inst || p.elementKey == inst.Element.Key && p.secret == secretOf(inst, p.secretKey) {
			return p, nil
		}
	}
	p, err := h.build(id, inst)
	if err != nil {
		return nil, err
	}
	stored := false
	if loaded {
		stored = h.cache.CompareAndSwap(id, old, p)
	} else {
		_, lost := h.cache.LoadOrStore(id, p)
		stored = !lost
	}
	// Only the request that stored the new state warns, and only when the
	// instance was verified before (or not seen at all).
	if stored && (!loaded || old.(*prepared).verify.verifies()) {
		h.warnUnverified(id, p)
	}
	return p, nil
}

// build compiles an instance's webhook settings from its definition.
func (h *Handler) build(id string, inst *element.Instance) (*prepared, error) {
	def, ok := h.definition(inst.Element.Key)
	if !ok || def == nil {
		return nil, fmt.Errorf("no element definition for %s", quote.String(inst.Element.Key))
	}
	wh := def.Webhook
	p := &prepared{
		inst:        inst,
		elementKey:  inst.Element.Key,
		secretKey:   wh.SecretKey,
		secret:      secretOf(inst, wh.SecretKey),
		formEncoded: wh.FormEncoded,
		pingField:   wh.PingField,
	}
	var err error
	if p.verify, err = newVerifier(wh, p.secret, h.clock, h.tolerance); err != nil {
		return nil, err
	}
	if p.norm, err = newNormalizer(id, def); err != nil {
		return nil, err
	}
	if wh.DeliveryIDHeader != "" {
		p.deliveryHeader = textproto.CanonicalMIMEHeaderKey(wh.DeliveryIDHeader)
	}
	for _, m := range wh.Methods {
		p.methods = append(p.methods, strings.ToUpper(strings.TrimSpace(m)))
	}
	if len(p.methods) == 0 {
		p.methods = []string{http.MethodPost}
	}
	p.allow = strings.Join(p.methods, ", ")
	return p, nil
}

// secretOf returns the webhook secret of an instance: the value of the
// configuration key the definition names.
func secretOf(inst *element.Instance, key string) string {
	if key == "" {
		return ""
	}
	s, _ := inst.Configuration.Get(key)
	return s
}

// warnUnverified logs, once per instance, that its webhooks are accepted
// without verification.
func (h *Handler) warnUnverified(id string, p *prepared) {
	if p.verify.verifies() {
		return
	}
	if p.verify.scheme == vocab.SignatureNone {
		h.log.Warn("webhook: the element does not sign its webhooks; they are accepted unverified, so keep the URL secret",
			"instance", id, "element", p.elementKey)
		return
	}
	h.log.Warn("webhook: instance has no webhook secret; its webhooks are accepted unverified",
		"instance", id, "element", p.elementKey, "configKey", p.secretKey)
}

// allows reports whether the instance's element sends webhooks with method.
func (p *prepared) allows(method string) bool {
	for _, m := range p.methods {
		if m == method {
			return true
		}
	}
	return false
}
