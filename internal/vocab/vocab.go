// Package vocab spells, once, the words of instance bodies and element
// definitions that more than one package acts on: the configuration keys
// element reads into its typed Events, and the auth styles, pagination
// styles, signature schemes and digest encodings of a definition. Package
// element checks values against them; the poller and the webhook Handler
// switch on them. Users write the same words as plain strings, in JSON or
// in Go, as element's field docs list them.
//
//	if def.Pagination.Style == vocab.PaginationPage { ... }
package vocab

import "time"

// The configuration keys element reads into its Events.
const (
	KeyEventsEnabled       = "event.notification.enabled"
	KeyVendorType          = "event.vendor.type"
	KeyCallbackURL         = "event.notification.callback.url"
	KeySignatureKey        = "event.notification.signature.key"
	KeyRefreshInterval     = "event.poller.refresh_interval"
	KeyObjects             = "event.objects"
	KeyPollerConfiguration = "event.poller.configuration"
	KeyPollerURLs          = "event.poller.urls"
)

// DefaultRefreshInterval is the poll interval of an instance without
// event.poller.refresh_interval.
const DefaultRefreshInterval = 15 * time.Minute

// Auth styles: Definition.Auth.Style.
const (
	AuthNone   = "none"
	AuthBasic  = "basic"
	AuthBearer = "bearer"
	AuthQuery  = "query"
	AuthHeader = "header"
	AuthOAuth1 = "oauth1"
	// OAuth 2: the refresh_token and client_credentials grants.
	AuthOAuth2Refresh = "oauth2-refresh"
	AuthOAuth2Client  = "oauth2-client"
)

// Where credentials go: Definition.Auth.Placement. OAuth 1.0a takes
// query (its default) or header; basic header (its default) or query;
// OAuth 2 client credentials header (their default) or body.
const (
	PlacementHeader = "header"
	PlacementQuery  = "query"
	PlacementBody   = "body"
)

// OAuth 1.0a settings: Definition.Auth.SignatureMethod and Placement.
const (
	OAuth1HMACSHA256      = "HMAC-SHA256"
	OAuth1HMACSHA1        = "HMAC-SHA1"
	OAuth1PlacementQuery  = "query"
	OAuth1PlacementHeader = "header"
)

// Pagination styles: Definition.Pagination.Style.
const (
	PaginationNone    = "none"
	PaginationPage    = "page"
	PaginationLink    = "link"
	PaginationNextURL = "next-url"
	PaginationOffset  = "offset"
)

// Signature schemes of inbound webhooks: Definition.Webhook.SignatureScheme.
const (
	SignatureNone             = "none"
	SignatureHMACSHA256       = "hmac-sha256"
	SignatureStandardWebhooks = "standard-webhooks"
)

// Digest encodings of an hmac-sha256 signature:
// Definition.Webhook.SignatureEncoding.
const (
	EncodingBase64 = "base64"
	EncodingHex    = "hex"
)
