package element

import (
	"fmt"
	"slices"
	"strings"

	"github.com/a12b7632/elementevents/internal/vocab"
)

// Subscription says how webhooks are registered at the vendor, so that
// the library, not the user, creates, repairs and removes them for a
// webhook-type instance (see webhook.Subscriber). A vendor's webhook is
// one topic, resource<Separator>action of Webhook.Topics ("customer.created"),
// sent to a delivery URL and signed with a secret.
//
// The webhooks are a collection under BaseURL at Path: listed with GET
// (page after page when Pagination's style is "page", else in one
// request of PageSize), created with POST Path,
// changed with UpdateMethod Path/{id} and deleted with DELETE
// Path/{id}?DeleteQuery. Bodies are JSON objects whose fields are named by
// the *Field settings. The zero Subscription (no Path) means the element
// has none, and its webhooks are set up by hand.
type Subscription struct {
	// Path is the webhooks collection relative to BaseURL ("/webhooks").
	// Required for a subscription section.
	Path string `json:"path,omitempty"`

	// Actions are the topic actions subscribed for each object
	// ("created", "updated", "deleted"); the topic of object "customers"
	// and action "created" is the resource that Webhook.Topics.Objects maps
	// to "customers", the separator and the action: "customer.created".
	// Each must be mapped by Webhook.Topics.Actions. Required.
	Actions []string `json:"actions,omitempty"`

	// IDField, NameField, TopicField, DeliveryURLField, SecretField and
	// StatusField name the fields of a vendor webhook in its JSON. Empty
	// means WooCommerce's: "id", "name", "topic", "delivery_url",
	// "secret", "status". The secret is sent, never read back: vendors
	// such as WooCommerce treat it as write-only.
	IDField          string `json:"idField,omitempty"`
	NameField        string `json:"nameField,omitempty"`
	TopicField       string `json:"topicField,omitempty"`
	DeliveryURLField string `json:"deliveryUrlField,omitempty"`
	SecretField      string `json:"secretField,omitempty"`
	StatusField      string `json:"statusField,omitempty"`

	// ActiveStatus is the status of a webhook that delivers ("active").
	// A webhook of ours in any other status (WooCommerce: "paused" by the
	// admin, "disabled" after failed deliveries) is set back to it. Empty
	// means "active".
	ActiveStatus string `json:"activeStatus,omitempty"`

	// UpdateMethod changes one webhook: PUT (the default, also when
	// empty), PATCH or POST.
	UpdateMethod string `json:"updateMethod,omitempty" validate:"omitempty,oneof=PUT PATCH POST"`

	// DeleteQuery is the query of a delete ("force=true": WooCommerce
	// does not move webhooks to the trash). Empty means none.
	DeleteQuery string `json:"deleteQuery,omitempty"`

	// PageSize is the page size of the list. Zero means DefaultPageSize.
	PageSize int `json:"pageSize,omitempty" validate:"gte=0"`
}

// Enabled reports whether the element has a subscription section.
func (s Subscription) Enabled() bool { return s.Path != "" }

// setDefaults fills the documented defaults of a subscription section.
func (s *Subscription) setDefaults(pageSize int) {
	if !s.Enabled() {
		return
	}
	for _, f := range []struct {
		field *string
		value string
	}{
		{&s.IDField, "id"}, {&s.NameField, "name"}, {&s.TopicField, "topic"},
		{&s.DeliveryURLField, "delivery_url"}, {&s.SecretField, "secret"},
		{&s.StatusField, "status"}, {&s.ActiveStatus, "active"}, {&s.UpdateMethod, "PUT"},
	} {
		if *f.field == "" {
			*f.field = f.value
		}
	}
	if s.PageSize == 0 {
		s.PageSize = pageSize
	}
}

// check adds the problems of the definition's subscription section.
func (d *Definition) checkSubscription(ps *problemList) {
	s := d.Webhook.Subscription
	const at = "webhook.subscription."
	if !s.Enabled() {
		if len(s.Actions) > 0 || s.DeleteQuery != "" {
			ps.addf(at+"path", "required when the subscription section is set")
		}
		return
	}
	if !strings.HasPrefix(s.Path, "/") || strings.ContainsAny(s.Path, "?#{}") {
		ps.addf(at+"path", "must start with / and hold no query or placeholder")
	}
	if len(s.Actions) == 0 {
		ps.addf(at+"actions", "required: the topic actions to subscribe")
	}
	for i, a := range s.Actions {
		if t, ok := d.Webhook.Topics.Actions[a]; !ok || t == eventUnknown {
			ps.addf(fmt.Sprintf("%sactions[%d]", at, i), "must be an action webhook.topics.actions maps to CREATED, UPDATED or DELETED")
		}
		if slices.Index(s.Actions, a) != i {
			ps.addf(fmt.Sprintf("%sactions[%d]", at, i), "duplicate action %s", quote(a))
		}
	}
	for _, f := range [][2]string{
		{"idField", s.IDField}, {"nameField", s.NameField}, {"topicField", s.TopicField},
		{"deliveryUrlField", s.DeliveryURLField}, {"secretField", s.SecretField}, {"statusField", s.StatusField},
	} {
		if strings.ContainsAny(f[1], ". \t\r\n\"") {
			ps.addf(at+f[0], "must be a top-level field name")
		}
	}
	if strings.ContainsAny(s.DeleteQuery, "?# ") {
		ps.addf(at+"deleteQuery", "must be a query without ? or spaces (force=true)")
	}
	if d.Webhook.TopicHeader == "" {
		ps.addf("webhook.topicHeader", "required with a subscription section: webhooks are registered by topic")
	}
	if d.Webhook.SignatureScheme != vocab.SignatureHMACSHA256 {
		ps.addf("webhook.signatureScheme", "must be hmac-sha256 with a subscription section: the library signs up with a secret it generates")
	}
}
