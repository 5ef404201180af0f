package element

// Webhook says how a vendor's inbound webhooks are verified and turned into
// changes. A change has an object type, an object id, an event type and a
// date; they come from the topic header (through Topics) or from dotted
// paths into the body.
type Webhook struct {
	// SignatureScheme is how requests are signed:
	//
	//   - "none" (the default, also when empty): webhooks are not signed,
	//     and the handler relies on the secrecy of its URL.
	//   - "hmac-sha256": an HMAC-SHA256 of the raw body under the secret,
	//     in SignatureHeader, encoded as SignatureEncoding, optionally
	//     after SignaturePrefix (WooCommerce: X-WC-Webhook-Signature,
	//     base64).
	//   - "standard-webhooks": the Standard Webhooks v1 scheme
	//     (webhook-id, webhook-timestamp, webhook-signature); its headers
	//     are fixed, so SignatureHeader, SignatureEncoding and
	//     SignaturePrefix are unused.
	SignatureScheme string `json:"signatureScheme,omitempty" validate:"omitempty,oneof=none hmac-sha256 standard-webhooks"`

	// SignatureHeader is the header carrying the signature
	// ("X-WC-Webhook-Signature"). Required for hmac-sha256.
	SignatureHeader string `json:"signatureHeader,omitempty"`

	// SignatureEncoding is "base64" (standard base64 with padding; the
	// default, also when empty) or "hex" (either case). hmac-sha256 only.
	SignatureEncoding string `json:"signatureEncoding,omitempty" validate:"omitempty,oneof=base64 hex"`

	// SignaturePrefix precedes the encoded signature ("sha256="). Empty
	// means none. Verification accepts the signature with or without it.
	// hmac-sha256 only.
	SignaturePrefix string `json:"signaturePrefix,omitempty"`

	// SecretKey is the configuration key that holds the webhook secret
	// ("webhook.secret"), not the secret itself. Required unless the scheme
	// is none.
	SecretKey string `json:"secretKey,omitempty"`

	// TopicHeader is the header naming what happened, as
	// resource<Separator>action ("X-WC-Webhook-Topic: customer.updated").
	// Empty means the object type and event type come from
	// ObjectTypePath and EventTypePath.
	TopicHeader string `json:"topicHeader,omitempty"`

	// DeliveryIDHeader is the header carrying the vendor's unique delivery
	// id, used to drop redelivered webhooks ("X-WC-Webhook-Delivery-ID").
	// Empty means deliveries are not deduplicated by id.
	DeliveryIDHeader string `json:"deliveryIdHeader,omitempty"`

	// Topics maps the topic, or the values found at ObjectTypePath and
	// EventTypePath, to object and event types.
	Topics TopicMap `json:"topics,omitzero"`

	// ChangesPath is the dotted path of an array of changes in the body.
	// Empty means the body is one change, or a top-level array of changes.
	// The paths below are relative to each change.
	ChangesPath string `json:"changesPath,omitempty"`

	// ObjectTypePath is the dotted path of the object type in a change.
	// Empty means it comes from the topic. A value found there is mapped
	// through Topics.Objects.
	ObjectTypePath string `json:"objectTypePath,omitempty"`

	// ObjectIDPath is the dotted path of the object id in a change ("id").
	// Empty means changes carry no id.
	ObjectIDPath string `json:"objectIdPath,omitempty"`

	// EventTypePath is the dotted path of the event type in a change.
	// Empty means it comes from the topic. A value found there is mapped
	// through Topics.Actions, then taken as is if it is already an event
	// type (CREATED, UPDATED, DELETED, UNKNOWN), else UNKNOWN.
	EventTypePath string `json:"eventTypePath,omitempty"`

	// DatePath is the dotted path of the change's date. Empty, or a change
	// without it, means the time the webhook was received.
	DatePath string `json:"datePath,omitempty"`

	// DateFormat is the Java date pattern of the value at DatePath (see
	// [javatime.NewLayout]). Empty means RFC 3339.
	DateFormat string `json:"dateFormat,omitempty"`

	// DateTimezone is the time zone of the value at DatePath when its
	// pattern carries none (see [javatime.LoadLocation]). Empty means UTC.
	DateTimezone string `json:"dateTimezone,omitempty"`

	// Methods are the accepted HTTP methods. Empty means POST only. For GET,
	// the query parameters are the body, as a flat object.
	Methods []string `json:"methods,omitempty" validate:"dive,oneof=GET POST PUT PATCH"`

	// FormEncoded, when true, accepts application/x-www-form-urlencoded
	// bodies, read as a flat object, besides JSON.
	FormEncoded bool `json:"formEncoded,omitempty"`

	// PingField is the form field of the vendor's unsigned test request
	// sent when a webhook is created (WooCommerce posts webhook_id=N). A
	// request whose form body has it and that carries no signature is
	// answered 2xx and yields no change. Empty means no such request.
	PingField string `json:"pingField,omitempty"`

	// Subscription says how the vendor's webhooks are registered for an
	// instance. The zero value means they are set up by hand.
	Subscription Subscription `json:"subscription,omitzero"`
}
