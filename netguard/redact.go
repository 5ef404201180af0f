package netguard

import "github.com/a12b7632/elementevents/internal/redact"

// RedactURL returns raw without its user info and fragment, and with the
// values of query parameters whose names look secret (pass, pwd, secret,
// token, key, sig, auth, credential, session, ..., in any case) replaced
// by REDACTED, for logs and errors. An unparseable URL becomes
// "(unparseable URL)".
//
// Every URL the library dials, a callback URL or a vendor's, may carry
// credentials; the Notifier, the poller and the stores print them all
// this way, and a host can log the URLs it configures the same way.
func RedactURL(raw string) string { return redact.String(raw) }
