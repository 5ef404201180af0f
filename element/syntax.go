package element

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// SyntaxError reports JSON that cannot be read: where, and why.
type SyntaxError struct {
	// Offset is the byte offset of the error in the input.
	Offset int64
	// Line and Column locate Offset, counting from 1.
	Line, Column int
	// Err is the decoder's error.
	Err error
}

// Error names the position and the cause.
func (e *SyntaxError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%v: %v", ErrSyntax, e.Err)
	}
	return fmt.Sprintf("%v at line %d, column %d (byte %d): %v", ErrSyntax, e.Line, e.Column, e.Offset, e.Err)
}

// Unwrap returns the decoder's error.
func (e *SyntaxError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrSyntax].
func (e *SyntaxError) Is(target error) bool { return target == ErrSyntax }

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
	return &SyntaxError{Offset: offset, Line: line, Column: col, Err: err}
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
