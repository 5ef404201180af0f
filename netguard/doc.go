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
// # Refused ranges
//
// With AllowPrivate false:
//
//	IPv4                 name
//	0.0.0.0/8            this network (unspecified)      *
//	10.0.0.0/8           private (RFC 1918)
//	100.100.100.200/32   cloud metadata (Alibaba Cloud)  *
//	100.64.0.0/10        shared address space (CGNAT)
//	127.0.0.0/8          loopback
//	169.254.169.254/32   cloud metadata                  *
//	169.254.0.0/16       link-local
//	172.16.0.0/12        private (RFC 1918)
//	192.0.0.0/24         IETF protocol assignments
//	192.0.2.0/24         documentation (TEST-NET-1)
//	192.168.0.0/16       private (RFC 1918)
//	198.18.0.0/15        benchmarking
//	198.51.100.0/24      documentation (TEST-NET-2)
//	203.0.113.0/24       documentation (TEST-NET-3)
//	224.0.0.0/4          multicast                       *
//	255.255.255.255/32   broadcast                       *
//	240.0.0.0/4          reserved                        *
//
//	IPv6
//	::/128               unspecified                     *
//	::1/128              loopback
//	::/96                IPv4-compatible (deprecated)    *
//	64:ff9b:1::/48       NAT64 local-use
//	100::/64             discard                         *
//	2001:db8::/32        documentation
//	fd00:ec2::254/128    cloud metadata (AWS)            *
//	fc00::/7             unique local (ULA)
//	fe80::/10            link-local
//	fec0::/10            site-local (deprecated)
//	ff00::/8             multicast                       *
//
// Ranges marked * are refused even with AllowPrivate: they are never a
// valid target (no unicast host lives there, or, for the metadata
// endpoints, reaching them is exactly the attack). Only Allow opens them.
//
// Addresses that embed an IPv4 address are also checked by that address:
// IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16),
// so ::ffff:127.0.0.1 and 64:ff9b::7f00:1 count as loopback.
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
