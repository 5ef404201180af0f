package notify_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
)

// FuzzCheckEndpoint: a callback URL is a tenant's input. Whatever it is,
// CheckEndpoint returns nil or an error that is exactly one of
// ErrInvalidEndpoint and netguard.ErrRefused, never panics, and never
// quotes the password of the URL's user info.
func FuzzCheckEndpoint(f *testing.F) {
	for _, s := range []string{
		"https://example.com/hook",
		"http://u:TOPSECRET@example.com/?token=x",
		"http://127.0.0.1:8080/hook",
		"http://2130706433/",
		"http://localhost/",
		"http://[::1]:80/",
		"ftp://example.com/",
		"/relative",
		"https://",
		"://bad",
		"https://exa mple.com/",
		"http://0x7f.1/",
		"http://[fe80::1%25eth0]/",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, httpsOnly bool) {
		err := notify.CheckEndpoint(raw, netguard.Guard{HTTPSOnly: httpsOnly})
		if err == nil {
			return
		}
		invalid, refused := errors.Is(err, notify.ErrInvalidEndpoint), errors.Is(err, netguard.ErrRefused)
		if invalid == refused {
			t.Fatalf("CheckEndpoint(%q) = %v: want ErrInvalidEndpoint or ErrRefused, exactly one", raw, err)
		}
		u, perr := url.Parse(raw)
		if perr != nil || u.User == nil {
			return
		}
		pw, _ := u.User.Password()
		u.User = nil
		if len(pw) >= 6 && !strings.Contains(u.String(), pw) && strings.Contains(err.Error(), pw) {
			t.Fatalf("CheckEndpoint(%q) quotes the password: %v", raw, err)
		}
	})
}
