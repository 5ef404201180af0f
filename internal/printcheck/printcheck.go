// Package printcheck prints a value every way a host might print it (the
// fmt verbs, inside a struct and a slice, and log/slog's text and JSON
// handlers) and fails a test when any of those forms shows a secret, as
// text, base64, hex or a byte list. The tests of every package whose
// values hold keys or credentials share it.
//
//	forms := printcheck.Forms(v)
//	printcheck.NoSecret(t, "Endpoint", forms, "TOPSECRET-key")
package printcheck

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// verbs are the fmt verbs a host might print a value with.
var verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"}

// Forms returns v as each verb prints it alone, inside a struct and
// inside a slice, as fmt.Sprint prints it, and as slog's text and JSON
// handlers log it as an attribute and inside a group, by the name of the
// form ("%+v", "%s in a slice", "slog JSON in a group", ...).
func Forms(v any) map[string]string {
	out := map[string]string{}
	for _, verb := range verbs {
		out[verb] = fmt.Sprintf(verb, v)
		out[verb+" in a struct"] = fmt.Sprintf(verb, struct{ Field any }{v})
		out[verb+" in a slice"] = fmt.Sprintf(verb, []any{v})
	}
	out["Sprint"] = fmt.Sprint(v)
	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"slog text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"slog JSON": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var b bytes.Buffer
		slog.New(h(&b)).Info("printing", "value", v)
		out[name] = b.String()
		b.Reset()
		slog.New(h(&b)).Info("printing", slog.Group("group", "value", v))
		out[name+" in a group"] = b.String()
	}
	return out
}

// NoSecret fails t if any form shows one of secrets as text, standard or
// URL base64, hex, or the byte list fmt prints for a []byte.
func NoSecret(t testing.TB, what string, forms map[string]string, secrets ...string) {
	t.Helper()
	for form, s := range forms {
		for _, secret := range secrets {
			b := []byte(secret)
			for _, enc := range []string{secret, base64.StdEncoding.EncodeToString(b),
				base64.URLEncoding.EncodeToString(b), hex.EncodeToString(b),
				strings.Trim(fmt.Sprint(b), "[]")} {
				if strings.Contains(s, enc) {
					t.Errorf("%s printed with %s shows a secret: %s", what, form, s)
				}
			}
		}
	}
}
