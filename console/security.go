package console

import "net/http"

// ContentSecurityPolicy is the policy of every console page: its own
// scripts, styles and images only, no inline script or style, no
// framing, forms posted only to itself.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// secure sets the security headers of every answer and refuses
// cross-origin state-changing requests (http.CrossOriginProtection: by
// Sec-Fetch-Site, or Origin against Host), so that no other site can make
// a signed-in browser create, change or replay anything.
func secure(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	protected := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", ContentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Cache-Control", "no-store")
		protected.ServeHTTP(w, r)
	})
}
