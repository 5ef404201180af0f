// Package jsonscan is the one JSON skip-scanner of the module: it finds
// the few values the poller and the webhook Handler need in vendor JSON
// without decoding the rest. It serves four uses: splitting a page into
// the records at a records path ([Records]), extracting id and date fields
// by dotted path ([Paths.Find], or in the pass that splits the records,
// [Paths.RecordsFind]), reading pagination fields such as a next-page URL
// or a total in that same pass ([Paths.Records]), and validating a webhook
// body while picking its fields ([Paths.FindValid]).
//
//	paths := jsonscan.Compile("id", "customer.updated")
//	var vals [2]jsonscan.Value
//	if err := paths.FindValid(body, vals[:]); err != nil { ... }
//	id, _ := vals[0].Text(body)
//
// Validation accepts exactly what [encoding/json.Valid] accepts, with its
// nesting limit ([MaxDepth]); strings may hold invalid UTF-8, which
// decoding turns into U+FFFD as encoding/json does. Lookups follow
// encoding/json decoding into a map: keys match after unescaping, a
// repeated key means its last value (a later object replaces an earlier
// one wholesale), and a path through anything but an object finds nothing.
// Keys containing '.' cannot be addressed.
//
// Errors are [*Error]: a message and the byte offset it is about. Callers
// wrap them in their own sentinel errors.
package jsonscan

import (
	"fmt"
	"strconv"
)

// MaxDepth bounds nesting as encoding/json does, so that a document of a
// million '[' is an error rather than a million stack frames.
const MaxDepth = 10000

// Error reports a document that is not JSON, or not shaped as asked (no
// array at the records path). Its text is "offset N: what is wrong".
type Error struct {
	// Offset is the byte offset in the document the message is about.
	Offset int
	// Msg says what is wrong there. Bytes from the document are quoted,
	// one at a time.
	Msg string
}

// Error gives the offset and what is wrong there.
func (e *Error) Error() string { return "offset " + strconv.Itoa(e.Offset) + ": " + e.Msg }

// errorAt builds an *Error. It is only called on the error path, so the
// fmt allocation does not matter.
func errorAt(off int, format string, args ...any) error {
	return &Error{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// Kind is the kind of a [Value].
type Kind uint8

// The kinds of values. The zero Kind is Absent.
const (
	// Absent: the path is not in the document, or crosses a value that is
	// not an object.
	Absent Kind = iota
	Null
	String
	Number
	Bool
	Object
	Array
)

var kindNames = [...]string{"absent", "null", "string", "number", "bool", "object", "array"}

// String names the kind, as JSON does.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is where a path's value is in a document. The zero Value is
// Absent.
type Value struct {
	// Start and End delimit the value as written: doc[Start:End], a
	// string with its quotes.
	Start, End int
	// Kind is the kind of the value.
	Kind Kind
	// Plain is true for a string whose contents are printable ASCII
	// without escapes: doc[Start+1:End-1] is its decoded value as is.
	Plain bool
}

// Raw returns the value as written in doc, nil when it is absent.
func (v Value) Raw(doc []byte) []byte {
	if v.Kind == Absent {
		return nil
	}
	return doc[v.Start:v.End:v.End]
}

// AppendText appends the value's text to dst: a string decoded as
// encoding/json decodes it, a number or a boolean as written, nothing for
// the other kinds. ok is false for a string with an invalid escape or a
// control character, which only a document that was not validated (see
// [Paths.Find]) can hold.
func (v Value) AppendText(dst, doc []byte) (_ []byte, ok bool) {
	switch v.Kind {
	case String:
		s := doc[v.Start+1 : v.End-1]
		if v.Plain {
			return append(dst, s...), true
		}
		return AppendUnquoted(dst, s)
	case Number, Bool:
		return append(dst, doc[v.Start:v.End]...), true
	}
	return dst, true
}

// Text returns [Value.AppendText] as a string.
func (v Value) Text(doc []byte) (string, bool) {
	switch v.Kind {
	case String:
		if v.Plain {
			return string(doc[v.Start+1 : v.End-1]), true
		}
	case Number, Bool:
		return string(doc[v.Start:v.End]), true
	default:
		return "", true
	}
	b, ok := v.AppendText(nil, doc)
	return string(b), ok
}

// Valid returns nil when doc is one JSON value with only whitespace around
// it, as [encoding/json.Valid] has it, and otherwise an [*Error] at the
// first problem.
func Valid(doc []byte) error {
	i, err := checkValue(doc, skipSpace(doc, 0), 0)
	if err != nil {
		return err
	}
	return checkEnd(doc, i)
}

// checkEnd reports anything but whitespace after the top-level value,
// which ends at doc[i].
func checkEnd(doc []byte, i int) error {
	if i = skipSpace(doc, i); i != len(doc) {
		return errorAt(i, "unexpected %q after the top-level value", doc[i])
	}
	return nil
}
