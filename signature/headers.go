package signature

// Header names, in canonical form so that they can index an http.Header
// directly.
const (
	// HeaderElementsSignature carries the Cloud Elements signature:
	// "sha256=" + base64(HMAC-SHA256(key, body)).
	HeaderElementsSignature = "Elements-Webhook-Signature"
	// HeaderElementsID carries the notification id in the Cloud Elements
	// scheme.
	HeaderElementsID = "Elements-Webhook-Id"

	// HeaderWebhookID is the Standard Webhooks message id (webhook-id).
	HeaderWebhookID = "Webhook-Id"
	// HeaderWebhookTimestamp is the Standard Webhooks timestamp in Unix
	// seconds (webhook-timestamp).
	HeaderWebhookTimestamp = "Webhook-Timestamp"
	// HeaderWebhookSignature is the space-separated list of "v1,<base64>"
	// Standard Webhooks signatures (webhook-signature).
	HeaderWebhookSignature = "Webhook-Signature"
)
