package element

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	iquote "github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/javatime"
)

// Problem is one thing wrong with an instance or a definition, named by
// where it is: the configuration key or JSON path as the user wrote it
// ("event.notification.callback.url",
// "event.poller.configuration.customers.idField", "resources.orders.url").
// It prints as "path: message"; errors.As finds a *Problem in a
// [*ValidationError].
type Problem struct {
	// Path is the configuration key or JSON path of the offending value.
	// It is empty when the problem concerns the input as a whole.
	Path string
	// Message says what is wrong and, where it can, how to fix it.
	Message string
	// Err is the underlying error, if any ([javatime.ErrPattern],
	// [javatime.ErrZone], [ErrPlaceholder], [ErrLegacyURLs],
	// [ErrUnknownElement], ...).
	Err error
}

// maxPathShown bounds the path an error message shows: paths hold the
// resource names of the input, which may be of any length.
const maxPathShown = 256

// maxProblemsShown bounds the problems a [ValidationError] message lists;
// Problems holds them all.
const maxProblemsShown = 50

// Error returns "path: message", the path cut short past 256 bytes.
func (p Problem) Error() string {
	if p.Path == "" {
		return p.Message
	}
	return iquote.CutN(p.Path, maxPathShown) + ": " + p.Message
}

// Unwrap returns the underlying error.
func (p Problem) Unwrap() error { return p.Err }

// ValidationError lists every problem found with an instance, a
// configuration or a definition, from reading its values and from checking
// its rules. errors.Is(err, [ErrInvalid]) is true for it; errors.As finds
// each [*Problem], and errors.Is the error each problem wraps.
type ValidationError struct {
	// Problems are sorted by Path; problems with the same path keep the
	// order they were found in.
	Problems []Problem

	// subject names what was checked in the message ("definition
	// \"acme\""); empty means the instance configuration.
	subject string
}

// Error lists the problems, one per line after the first; past 50 it
// says how many more there are.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("element: invalid ")
	b.WriteString(cmp.Or(e.subject, "configuration"))
	if len(e.Problems) == 1 {
		b.WriteString(": ")
		b.WriteString(e.Problems[0].Error())
		return b.String()
	}
	fmt.Fprintf(&b, ": %d problems:", len(e.Problems))
	for i := range e.Problems {
		if i == maxProblemsShown {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Problems)-i)
			break
		}
		b.WriteString("\n  ")
		b.WriteString(e.Problems[i].Error())
	}
	return b.String()
}

// Is reports whether target is [ErrInvalid].
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns a *Problem for each problem, so that errors.Is and
// errors.As look into each of them.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i := range e.Problems {
		errs[i] = &e.Problems[i]
	}
	return errs
}

// problemList collects problems while an input is read and checked.
type problemList []Problem

// add records a problem at path.
func (ps *problemList) add(path, msg string) {
	*ps = append(*ps, Problem{Path: path, Message: msg})
}

// addf records a problem at path with a formatted message.
func (ps *problemList) addf(path, format string, args ...any) {
	ps.add(path, fmt.Sprintf(format, args...))
}

// wrap records err, returned by a helper of this package, at path. The
// message drops the sentinel's text, which the path makes redundant; Err
// keeps the error for errors.Is.
func (ps *problemList) wrap(path string, err error) {
	*ps = append(*ps, Problem{Path: path, Message: message(err), Err: err})
}

// without returns the problems of ps not at a path of found or below one:
// a value that could not be read is reported once, not again by each rule
// its zero value then breaks.
func (ps problemList) without(found problemList) problemList {
	if len(found) == 0 {
		return ps
	}
	out := ps[:0:0]
	for _, p := range ps {
		if !slices.ContainsFunc(found, func(f Problem) bool { return within(p.Path, f.Path) }) {
			out = append(out, p)
		}
	}
	return out
}

// within reports whether path is at or below parent.
func within(path, parent string) bool {
	rest, ok := strings.CutPrefix(path, parent)
	return ok && (rest == "" || rest[0] == '.' || rest[0] == '[')
}

// err returns the problems as a *ValidationError about subject, sorted by
// path, or nil if there are none.
func (ps problemList) err(subject string) error {
	if len(ps) == 0 {
		return nil
	}
	sorted := slices.Clone(ps)
	slices.SortStableFunc(sorted, func(a, b Problem) int { return cmp.Compare(a.Path, b.Path) })
	return &ValidationError{Problems: sorted, subject: subject}
}

// definitionSubject names a definition in a [ValidationError] message.
func definitionSubject(key string) string {
	if key == "" {
		return "definition"
	}
	return "definition " + quote(key)
}

// sentinels are the errors whose text a problem's message leaves out.
var sentinels = []error{javatime.ErrPattern, javatime.ErrZone, ErrPlaceholder, ErrLegacyURLs, ErrUnknownElement, ErrSyntax}

// message is err's text without a leading sentinel text.
func message(err error) string {
	s := err.Error()
	for _, sentinel := range sentinels {
		if rest, ok := strings.CutPrefix(s, sentinel.Error()+": "); ok {
			return rest
		}
	}
	return s
}
