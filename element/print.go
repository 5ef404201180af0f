package element

import (
	"fmt"

	"github.com/a12b7632/elementevents/internal/redact"
)

// An Instance and its Events print without their secrets in every fmt
// verb, as a view of themselves: a copy whose secrets print redacted.
// Without Format, fmt would print the fields of a *Instance or *Events
// with no method of theirs where it reports a bad verb (%s of a pointer
// inside a slice), and so show the signing key and the configuration's
// raw values.

type (
	instanceView Instance
	eventsView   Events
)

// Format prints inst with its configuration's secret values redacted and
// without the body's other top-level keys, which may hold credentials.
func (inst Instance) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, inst.view(), inst.GoString)
}

// GoString is used by %#v; it redacts like Format.
func (inst Instance) GoString() string {
	return redact.GoString(inst.view(), "element.instanceView", "element.Instance")
}

func (inst Instance) view() instanceView {
	v := instanceView(inst)
	v.extra = nil
	return v
}

// Format prints e with its signature key as [REDACTED].
func (e Events) Format(f fmt.State, verb rune) { redact.Format(f, verb, eventsView(e), e.GoString) }

// GoString is used by %#v; it redacts like Format.
func (e Events) GoString() string {
	return redact.GoString(eventsView(e), "element.eventsView", "element.Events")
}
