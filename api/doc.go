// Package api serves the /instances REST API over an engine: instances
// (create, list, read, replace, patch, delete, enable, disable, one
// configuration key), their events and failed deliveries (list, read,
// replay), poll-now and resync, and its OpenAPI 3.1 document at
// /openapi.json. It is an [http.Handler]; mount it under any prefix:
//
//	eng, _ := engine.New(engine.Config{Store: store})
//	h, _ := api.New(api.Config{Engine: eng, Authenticate: api.ElementsAuth(api.ElementsAuthConfig{
//		Tenants: []api.ElementsTenant{{ID: "acme", UserSecret: userSecret, OrgSecret: orgSecret}},
//	})})
//	mux.Handle("/api/v2/", http.StripPrefix("/api/v2", h))
//
// # Tenants
//
// Config.Authenticate names the tenant of every request; a tenant sees
// and changes only its own instances, events and deliveries. Another
// tenant's are answered 404, never 403, so that ids do not leak.
// [ElementsAuth] reads the documented header form
// "Authorization: User <secret>, Organization <secret>[, Element <token>]".
//
// # Instances
//
// An instance is answered as its stored /instances body (unknown keys
// kept), every secret configuration value (a key with a part such as key,
// secret, password or token) shown as "***", and with the keys "id",
// "token" (the instance token), "disabled", "version", "createdDate" and
// "updatedDate" (RFC 3339, UTC) set. Writing "***" back for a secret, in a
// PUT or a PATCH, keeps the stored value. Every instance answer has the
// ETag "<version>"; PUT, PATCH and DELETE honour If-Match (absent or "*":
// unconditional; a stale one: 412).
//
// # Lists
//
// GET /instances (in id order) and the event lists (newest first) take
// after (a cursor) and limit (1 to 1000, default 100). When a next page
// may exist, the answer has the header X-Next-Cursor (the after to send)
// and a Link header with rel="next" (the same URL with that after).
//
// # Errors
//
// Errors are RFC 9457 problem details (application/problem+json, see
// [Problem]): malformed JSON 400 with the offset, line and column; an
// invalid instance 422 with one entry per problem in "errors", each
// naming its configuration key; other bad input 400; missing or bad
// credentials 401; an unknown id 404; an existing id, or a write that met
// another without If-Match, 409; a stale If-Match 412; a poll or resync
// of an instance that polls nothing 409; a body over Config.MaxBodyBytes
// 413; a body that is not JSON 415; a wrong method 405; a resync the
// vendor failed 502. No answer holds the value of a secret.
//
// GET /instances/events/{eventId} takes precedence over an instance's GET
// sub-resources: an instance whose id is "events" cannot list its events,
// configuration or deliveries over the API.
package api
