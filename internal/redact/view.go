package redact

import (
	"fmt"
	"io"
	"strings"
)

// A type that holds a secret prints a view of itself: a copy with the
// secrets replaced, so that the fmt verbs and flags keep their usual
// meaning. Format and GoString are the two halves of that, shared by the
// packages whose values print this way.

// Format prints view, a copy of a value with its secrets replaced, with
// the verb and flags of f; goSyntax returns the value's %#v.
func Format(f fmt.State, verb rune, view any, goSyntax func() string) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, goSyntax())
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), view)
}

// GoString is view's %#v under its value's type name: viewName, the
// view's own type name as %#v writes it, becomes name.
func GoString(view any, viewName, name string) string {
	return strings.Replace(fmt.Sprintf("%#v", view), viewName, name, 1)
}
