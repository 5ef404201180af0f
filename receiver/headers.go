package receiver

import (
	"net/http"

	"github.com/a12b7632/elementevents/internal/httpheader"
	"github.com/a12b7632/elementevents/signature"
)

// The names Svix gives the Standard Webhooks headers: svix-id,
// svix-timestamp and svix-signature.
const (
	headerSvixID        = "Svix-Id"
	headerSvixTimestamp = "Svix-Timestamp"
	headerSvixSignature = "Svix-Signature"
)

// signed is what a request's headers say about its signature.
type signed struct {
	// standard reports a Standard Webhooks header, under its own name or
	// Svix's, even an empty one: the request is then verified in that
	// scheme, and never in the Cloud Elements one, which a captured
	// request can be downgraded to.
	standard   bool
	svix       bool   // the three below come from the svix- headers
	id         string // webhook-id
	timestamp  string // webhook-timestamp
	signatures string // webhook-signature

	elements   string // Elements-Webhook-Signature
	elementsID string // Elements-Webhook-Id
}

// readSigned reads the signature headers of h whatever the case of their
// keys. The Standard Webhooks id, timestamp and signatures come from the
// webhook- headers when webhook-signature is present, else from the svix-
// ones when svix-signature is (the names Svix sends), never from a mix.
func readSigned(h http.Header) signed {
	var s signed
	var sigOK, idOK, tsOK bool
	s.signatures, sigOK = httpheader.Lookup(h, signature.HeaderWebhookSignature)
	s.id, idOK = httpheader.Lookup(h, signature.HeaderWebhookID)
	s.timestamp, tsOK = httpheader.Lookup(h, signature.HeaderWebhookTimestamp)
	if !sigOK {
		sigs, ok := httpheader.Lookup(h, headerSvixSignature)
		id, svixIDOK := httpheader.Lookup(h, headerSvixID)
		ts, svixTSOK := httpheader.Lookup(h, headerSvixTimestamp)
		if ok {
			s.svix, s.signatures, s.id, s.timestamp = true, sigs, id, ts
			sigOK, idOK, tsOK = true, svixIDOK, svixTSOK
		} else {
			idOK, tsOK = idOK || svixIDOK, tsOK || svixTSOK
		}
	}
	s.standard = sigOK || idOK || tsOK
	if !s.standard {
		s.elements, _ = httpheader.Lookup(h, signature.HeaderElementsSignature)
		s.elementsID, _ = httpheader.Lookup(h, signature.HeaderElementsID)
	}
	return s
}
