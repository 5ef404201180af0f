package element

import (
	"maps"
	"slices"

	"github.com/a12b7632/elementevents/internal/vocab"
)

// Definition describes an element, a vendor API, as data: where its API
// lives, how to authenticate and page through it, where the records are in
// a page, which hub paths map to which vendor paths, the default polled
// resources, and how its inbound webhooks are signed and read.
//
// Definitions are loaded from JSON (see [ParseDefinition]) so that a vendor
// can be added without writing Go, and are registered by key in a
// [Catalogue] (see [Default]). The built-in elements are
// woocommercerest, concur and generic.
//
// The zero value of every optional field has a documented meaning; the
// definitions returned by [ParseDefinition] and [Catalogue.Lookup] have
// those defaults filled in, so consumers read fields without re-deriving
// them.
type Definition struct {
	// Key identifies the element in instance bodies ("element.key") and in
	// the catalogue: lowercase letters, digits, '_' and '-', at most 64
	// bytes. Required.
	Key string `json:"key" validate:"required"`

	// Name is the human-readable name. Empty means Key.
	Name string `json:"name,omitempty"`

	// Hub is the Cloud Elements hub the element belongs to ("ecommerce",
	// "expense", "general"); it is the hubKey of the events and the middle
	// segment of hub paths (/hubs/{hub}/...). Lowercase letters, digits,
	// '_' and '-'. Required.
	Hub string `json:"hub" validate:"required"`

	// BaseURL is the vendor API base URL as a template whose {config.key}
	// references are filled from the instance configuration (see
	// [Definition.ExpandBaseURL]); names are made of letters, digits and
	// "._-":
	// "{store.url}/wp-json/wc/v3". ${...} time placeholders are not allowed
	// here; they belong in resource URLs. Required.
	BaseURL string `json:"baseUrl" validate:"required"`

	// Defaults gives values for configuration keys an instance may omit,
	// such as a vendor's usual API host. Empty means every key BaseURL and
	// Auth refer to must come from the instance.
	Defaults map[string]string `json:"defaults,omitempty"`

	// Auth says how requests to the vendor API authenticate, unless
	// AuthByScheme names the base URL's scheme.
	Auth Auth `json:"auth"`

	// AuthByScheme, by the scheme of the instance's base URL ("http" or
	// "https"), overrides Auth: WooCommerce takes Basic over https and
	// OAuth 1.0a over http. Empty means Auth for every scheme. See
	// [Definition.AuthFor].
	AuthByScheme map[string]Auth `json:"authByScheme,omitempty" validate:"dive"`

	// Pagination says how the poller asks for the next page.
	Pagination Pagination `json:"pagination"`

	// RecordsPath is the dotted path of the records array in a page
	// ("Items"). Empty means the page body is itself the array. A resource's
	// own recordsPath overrides it.
	RecordsPath string `json:"recordsPath,omitempty"`

	// DefaultPageSize is the page size asked for when a resource sets none.
	// Zero means the size parameter is not sent and the vendor's default
	// applies.
	DefaultPageSize int `json:"defaultPageSize,omitempty" validate:"gte=0"`

	// MaxPageSize caps the page size a resource may ask for. Zero means no
	// cap.
	MaxPageSize int `json:"maxPageSize,omitempty" validate:"gte=0"`

	// Paths maps hub paths to vendor paths relative to BaseURL:
	// "/hubs/ecommerce/customers" -> "/customers". A hub path also maps its
	// sub-paths ("/hubs/ecommerce/customers/7" -> "/customers/7"); see
	// [Definition.VendorPath]. Empty means resource URLs are vendor paths.
	Paths map[string]string `json:"paths,omitempty"`

	// Resources are the default polled resources by object name
	// ("customers"), used when an instance has no
	// event.poller.configuration. Empty means the instance must give them.
	Resources map[string]Resource `json:"resources,omitempty" validate:"dive"`

	// Webhook says how the vendor's inbound webhooks are verified and read.
	Webhook Webhook `json:"webhook"`
}

// clone returns a deep copy of d, which the caller may change freely.
func (d *Definition) clone() *Definition {
	if d == nil {
		return nil
	}
	c := *d
	c.Defaults = maps.Clone(d.Defaults)
	c.Paths = maps.Clone(d.Paths)
	c.AuthByScheme = maps.Clone(d.AuthByScheme)
	// Resource holds only values, so copying the map copies the resources.
	c.Resources = maps.Clone(d.Resources)
	c.Webhook.Methods = slices.Clone(d.Webhook.Methods)
	c.Webhook.Topics.Objects = maps.Clone(d.Webhook.Topics.Objects)
	c.Webhook.Topics.Actions = maps.Clone(d.Webhook.Topics.Actions)
	c.Webhook.Subscription.Actions = slices.Clone(d.Webhook.Subscription.Actions)
	return &c
}

// ConfigKeys returns the configuration keys an instance must set for the
// element's API to be reached: those BaseURL refers to that Defaults does
// not cover, and those Auth and AuthByScheme read. They are sorted and unique. The webhook
// secret, needed only by webhook instances, is Webhook.SecretKey.
func (d *Definition) ConfigKeys() []string {
	var keys []string
	refs, _ := templateKeys(d.BaseURL)
	for _, k := range refs {
		if _, ok := d.Defaults[k]; !ok {
			keys = append(keys, k)
		}
	}
	auths := []Auth{d.Auth}
	for _, a := range d.AuthByScheme {
		auths = append(auths, a)
	}
	for _, a := range auths {
		keys = append(keys, a.configKeys()...)
		refs, _ := templateKeys(a.TokenURL)
		for _, k := range refs {
			if _, ok := d.Defaults[k]; !ok {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// BaseURLKeys returns the configuration keys BaseURL refers to, in the
// order written ("store.url"): the keys to name when the vendor's address
// is wrong. Keys that Defaults covers are included, since an instance may
// set them too.
func (d *Definition) BaseURLKeys() []string {
	keys, _ := templateKeys(d.BaseURL)
	return keys
}

// setDefaults fills the zero values that have a documented default, so
// that consumers of a registered definition need not know them. It only
// fills fields that the chosen styles use, so a defaulted definition still
// validates.
func (d *Definition) setDefaults() {
	d.Auth.setDefaults()
	for scheme, a := range d.AuthByScheme {
		a.setDefaults()
		d.AuthByScheme[scheme] = a
	}
	p := &d.Pagination
	switch p.Style {
	case "":
		p.Style = vocab.PaginationNone
	case vocab.PaginationPage:
		if p.PageParam == "" {
			p.PageParam = "page"
		}
		if p.FirstPage == 0 {
			p.FirstPage = 1
		}
	case vocab.PaginationOffset:
		if p.OffsetParam == "" {
			p.OffsetParam = "offset"
		}
	}
	w := &d.Webhook
	if w.SignatureScheme == "" {
		w.SignatureScheme = vocab.SignatureNone
	}
	if w.SignatureScheme == vocab.SignatureHMACSHA256 && w.SignatureEncoding == "" {
		w.SignatureEncoding = vocab.EncodingBase64
	}
	if len(w.Methods) == 0 {
		w.Methods = []string{"POST"}
	}
	if w.Topics.Separator == "" {
		w.Topics.Separator = "."
	}
	w.Subscription.setDefaults(d.DefaultPageSize)
}
