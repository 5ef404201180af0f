// Package netguard keeps the library's outbound requests away from
// addresses they must not reach: loopback, private networks, link-local
// and cloud metadata endpoints, and the other non-public ranges that a
// server-side request forgery aims at.
//
// The shortest use:
//
//	client := &http.Client{Transport: netguard.Guard{}.RoundTripper(nil)}
//	_, err := client.Get("http://169.254.169.254/latest/meta-data/")
//	// errors.Is(err, netguard.ErrRefused)
//
// Every outbound client of the library, the Notifier posting to callback
// URLs and the poller fetching vendor pages, dials through a [Guard] set
// in its Config. The Guard checks the resolved address of each connection
// ([Guard.DialContext]), so DNS rebinding and redirects cannot slip past
// it; [Guard.CheckURL] refuses early what needs no connection to judge.
//
// # Opening it
//
// The zero Guard refuses every non-public range. Tests and private
// deployments open what they need, from the narrowest: AllowAddrPorts
// (one address and port, such as a test's own httptest server), Allow
// (prefixes), AllowPrivate (every private range; never the metadata
// endpoints, multicast or unspecified addresses).
//
// # Clients users supply
//
// [Guard.RoundTripper] applies a guard to a user's round tripper as well
// as to a new one: it sees only requests whose URL passes
// [Guard.CheckURL]; an [http.Transport] is cloned and dials through the
// guard, and any other round tripper must dial through
// [Guard.DialContext] itself if it dials at all.
package netguard
