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
//	v, err := signature.NewVerifier(signature.VerifierConfig{Keys: []signature.Key{key}})
//	if err := v.Verify(body, req.Header); err != nil {
//		// errors.Is(err, signature.ErrNoMatch), ErrTooOld, ...
//	}
//
// Vendor signatures, an HMAC-SHA256 of the raw body in base64 or hex with
// or without a "sha256=" prefix, are checked with [Verifier.VerifyHMAC]
// and [Verifier.VerifyHMACHex].
//
// Verification streams the body into the HMAC, compares with hmac.Equal,
// and allocates nothing once warm. A [Key] is raw bytes, or a
// "whsec_<base64>" secret read with [ParseKey], and never prints. The
// tolerance on timestamps is a field of [VerifierConfig] and is checked
// against its injected clock.
package signature
