// Package signature will sign and verify notification bodies with
// HMAC-SHA256, in the Cloud Elements scheme (Elements-Webhook-Signature) and
// the Standard Webhooks v1 scheme, with constant-time comparison and no
// allocations on the hot path.
//
// It is not built yet: this file only reserves the package and states its
// purpose (see DESIGN.md and the signature-and-events issue).
package signature
