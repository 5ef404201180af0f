// Package signature signs and verifies notification bodies with
// HMAC-SHA256, in two schemes, plus the vendor variants inbound webhooks
// use.
//
// The Cloud Elements scheme puts "sha256=" + base64(HMAC(key, body)) in
// Elements-Webhook-Signature, with the notification id in
// Elements-Webhook-Id. The Standard Webhooks v1 scheme signs
// id + "." + timestamp + "." + body and sends webhook-id, webhook-timestamp
// and webhook-signature ("v1,<base64>", several for key rotation).
//
// Signing, as the Notifier does it:
//
//	s, err := signature.NewSigner(key)
//	s.SetHeaders(req.Header, id, clock.Now(), body)
//
// Verifying, as a receiver does it:
//
//	v := signature.NewVerifier(key)
//	if err := v.Verify(body, req.Header); err != nil {
//		// errors.Is(err, signature.ErrNoMatch), ErrTooOld, ...
//	}
//
// Verification streams the body into the HMAC, compares with hmac.Equal,
// and allocates nothing once warm. Keys are raw bytes, or "whsec_<base64>"
// secrets read with [ParseKey]. The tolerance on timestamps is a field of
// [Verifier] and is checked against its injected clock.
package signature
