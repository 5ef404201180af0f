package element

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	iquote "github.com/a12b7632/elementevents/internal/quote"
)

// SyntaxError reports JSON that cannot be read: where, and why.
type SyntaxError struct {
	// Offset is the byte offset of the error in the input.
	Offset int64
	// Line and Column locate Offset, counting from 1.
	Line, Column int
	// Err is the decoder's error.
	Err error
	// Unclosed, when the input ends too soon, is the innermost object or
	// array still open at the end. Nil otherwise.
	Unclosed *Unclosed

	// hint names the object or array that, going by the indentation, is
	// the one missing its closing bracket; "" when nothing stands out.
	hint string
}

// Unclosed is an object or array that the input opened and never closed.
type Unclosed struct {
	// Path is its JSON path, keys joined by "." and array indexes in
	// brackets ("configuration.event.poller.configuration", "tags[2]");
	// empty for the top-level value.
	Path string
	// Kind is "object" or "array".
	Kind string
	// Offset is the byte offset of its opening bracket; Line and Column
	// locate it, counting from 1.
	Offset       int64
	Line, Column int
}

// String says what is open and where it began.
func (u *Unclosed) String() string {
	return fmt.Sprintf("%s (line %d, column %d)", u.name(), u.Line, u.Column)
}

func (u *Unclosed) name() string {
	if u.Path == "" {
		return "the top-level " + u.Kind
	}
	return "the " + u.Kind + " at " + iquote.CutN(u.Path, maxPathShown)
}

// Error names the position and the cause.
func (e *SyntaxError) Error() string {
	var b strings.Builder
	b.WriteString(ErrSyntax.Error())
	if e.Line != 0 {
		fmt.Fprintf(&b, " at line %d, column %d (byte %d)", e.Line, e.Column, e.Offset)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	if e.Unclosed != nil {
		fmt.Fprintf(&b, ": %s is not closed", e.Unclosed)
		if e.hint != "" {
			fmt.Fprintf(&b, "; going by the indentation, %s", e.hint)
		}
	}
	return b.String()
}

// Unwrap returns the decoder's error.
func (e *SyntaxError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrSyntax].
func (e *SyntaxError) Is(target error) bool { return target == ErrSyntax }

// newSyntaxError locates err, returned by encoding/json for data. At an
// unexpected end it also finds what is left open.
func newSyntaxError(data []byte, err error) *SyntaxError {
	var offset int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		offset = syntaxOffset(se)
	case errors.As(err, &te):
		offset = te.Offset
	}
	if offset < 0 {
		return &SyntaxError{Err: err}
	}
	offset = min(offset, int64(len(data)))
	line, col := lineColumn(data, offset)
	out := &SyntaxError{Offset: offset, Line: line, Column: col, Err: err}
	if se != nil && offset == int64(len(data)) && strings.HasPrefix(se.Error(), "unexpected end") {
		out.Unclosed, out.hint = unclosed(data)
	}
	return out
}

// syntaxOffset returns the byte offset of a decoding error. encoding/json's
// Offset counts the bytes read, so for an invalid character it is one past
// that character; at an unexpected end it is the end of the input, which is
// where the error is.
func syntaxOffset(se *json.SyntaxError) int64 {
	if se.Offset > 0 && strings.HasPrefix(se.Error(), "invalid character") {
		return se.Offset - 1
	}
	return se.Offset
}

// lineColumn converts a byte offset to a 1-based line and column (in bytes).
func lineColumn(data []byte, offset int64) (line, col int) {
	before := data[:offset]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// openValue is an object or array being scanned by unclosed.
type openValue struct {
	object   bool
	offset   int    // of its opening bracket
	indent   int    // of the line of its opening bracket
	indented bool   // a line break follows its opening bracket
	key      string // the member being read, in an object
	wantKey  bool   // the next string is a key, in an object
	index    int    // the element being read, in an array
}

// unclosed scans data, valid JSON that ends too soon, and returns the
// innermost object or array left open, or nil if none is (the input ends
// inside a top-level scalar). The hint names the first object or array,
// if any, that a closing bracket on a line of its own closed at a smaller
// indentation than the line that opened it: with one bracket missing,
// every later one closes the value around the one it was written for, and
// the first of them shows where. It runs in time linear in len(data).
func unclosed(data []byte) (*Unclosed, string) {
	var (
		stack      []openValue
		hint       string
		lineStart  int
		lineIndent int
		onLine     bool // a token was seen on the current line
		opened     = -1 // the value opened by the last token, until the next
	)
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c {
		case '\n':
			lineStart, onLine = i+1, false
			if opened >= 0 {
				stack[opened].indented = true
				opened = -1
			}
			continue
		case ' ', '\t', '\r':
			continue
		}
		opened = -1
		first := !onLine
		if first {
			lineIndent, onLine = i-lineStart, true
		}
		n := len(stack)
		switch c {
		case '"':
			end := stringEnd(data, i)
			if n > 0 && stack[n-1].object && stack[n-1].wantKey && end < len(data) {
				stack[n-1].key = unquoteKey(data[i : end+1])
			}
			i = end
		case '{', '[':
			stack = append(stack, openValue{object: c == '{', offset: i, indent: lineIndent, wantKey: c == '{'})
			opened = n
		case '}', ']':
			if n == 0 {
				continue
			}
			if top := stack[n-1]; hint == "" && first && top.indented && lineIndent < top.indent {
				u := unclosedAt(data, stack, n-1)
				hint = fmt.Sprintf("the one missing its %q is %s, begun at line %d", closer(top.object), u.name(), u.Line)
			}
			stack = stack[:n-1]
		case ':':
			if n > 0 {
				stack[n-1].wantKey = false
			}
		case ',':
			if n > 0 {
				stack[n-1].wantKey = stack[n-1].object
				stack[n-1].index++
			}
		}
	}
	if len(stack) == 0 {
		return nil, ""
	}
	return unclosedAt(data, stack, len(stack)-1), hint
}

// unclosedAt describes stack[k], located in data.
func unclosedAt(data []byte, stack []openValue, k int) *Unclosed {
	var b strings.Builder
	for j := 1; j <= k; j++ {
		parent := &stack[j-1]
		switch {
		case !parent.object:
			b.WriteString("[" + strconv.Itoa(parent.index) + "]")
		case j > 1:
			b.WriteString("." + parent.key)
		default:
			b.WriteString(parent.key)
		}
	}
	v := stack[k]
	line, col := lineColumn(data, int64(v.offset))
	return &Unclosed{Path: b.String(), Kind: kindName(v.object), Offset: int64(v.offset), Line: line, Column: col}
}

// stringEnd returns the index of the quote closing the string that starts
// at data[start], or len(data) if it is not closed.
func stringEnd(data []byte, start int) int {
	for i := start + 1; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(data)
}

// unquoteKey returns a quoted JSON string's value, or its text if it has
// no valid value.
func unquoteKey(quoted []byte) string {
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return string(quoted[1 : len(quoted)-1])
	}
	return s
}

func kindName(object bool) string {
	if object {
		return "object"
	}
	return "array"
}

func closer(object bool) string {
	if object {
		return "}"
	}
	return "]"
}
