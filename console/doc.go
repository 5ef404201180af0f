// Package console is the web console of the engine: the documented Event
// Configuration form and an event log, server-rendered with html/template
// from embedded files, as an http.Handler the host mounts under a prefix
// of its own mux, as riverui is mounted for River.
//
//	h, err := console.New(console.Config{Engine: eng, Authenticate: auth, SessionKey: key})
//	mux.Handle("/console/", h)
//
// Every form works without JavaScript; a little plain JavaScript of its
// own keeps the refresh interval's slider and number in step and checks a
// date pattern as it is typed. There is no build step and no third-party
// front-end code.
//
// # Security
//
// A tenant sees and changes only its own instances and events, through
// the same Authenticate hook as package api (another tenant's id is 404).
// Every page carries a strict Content-Security-Policy (no inline script or
// style), X-Frame-Options DENY and nosniff; every state-changing request
// is checked by http.CrossOriginProtection; secrets are never rendered
// back (a password field that is left empty keeps the stored value).
package console
