package vendorauth

import (
	"fmt"
	"log/slog"
)

// fmt prints unexported fields without their Format methods, so a
// Secret inside OAuth2 would print in the clear: OAuth2 prints itself.

// String describes the client without its secret or tokens.
func (o *OAuth2) String() string {
	return fmt.Sprintf("vendorauth.OAuth2{TokenURL: %s, Grant: %s, ClientID: %s, Key: %s}",
		o.tokenURL, o.cfg.Grant, o.cfg.ClientID, o.cfg.Key)
}

// GoString is used by %#v and shows what String shows.
func (o *OAuth2) GoString() string { return "&" + o.String() }

// Format prints the client as String does, in every verb.
func (o *OAuth2) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(o.GoString()))
		return
	}
	_, _ = f.Write([]byte(o.String()))
}

// LogValue logs the client without its secret or tokens.
func (o *OAuth2) LogValue() slog.Value {
	return slog.GroupValue(slog.String("token_url", o.tokenURL), slog.String("grant", o.cfg.Grant),
		slog.String("client_id", o.cfg.ClientID), slog.String("key", o.cfg.Key))
}
