// Package netguard keeps the library's outbound requests away from
// addresses they must not reach: loopback, private networks, link-local
// and cloud metadata endpoints, and the other non-public ranges that a
// server-side request forgery aims at.
//
// Every outbound client of the library (the Notifier posting to callback
// URLs, the poller fetching vendor pages) dials through a [Guard], which
// checks the resolved address of each connection, so DNS rebinding and
// redirects cannot slip past it. The zero Guard refuses every non-public
// range; tests and private deployments open what they need.
//
// The shortest use:
//
//	client := &http.Client{Transport: netguard.Guard{}.Transport(nil)}
//	_, err := client.Get("http://169.254.169.254/latest/meta-data/")
//	// errors.Is(err, netguard.ErrRefused)
package netguard
