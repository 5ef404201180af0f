package jsonscan

import (
	"encoding/binary"
	"math/bits"
)

// The validating scanners: each checks the grammar of RFC 8259 (as
// strictly as encoding/json) for the value at b[i] and returns the index
// just past it. depth is the nesting of the containers around b[i].

// scanValue validates the JSON value at b[i].
func scanValue(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return i, errorAt(i, "unexpected end of input, expected a value")
	}
	switch c := b[i]; c {
	case '"':
		end, _, err := scanString(b, i+1)
		return end, err
	case '{':
		return scanObject(b, i, depth)
	case '[':
		return scanArray(b, i, depth)
	case 't':
		return scanLiteral(b, i, "true")
	case 'f':
		return scanLiteral(b, i, "false")
	case 'n':
		return scanLiteral(b, i, "null")
	default:
		if c == '-' || c-'0' <= 9 {
			return scanNumber(b, i)
		}
		return i, errorAt(i, "unexpected %q, expected a value", c)
	}
}

// scanObject validates the object at b[i] ('{').
func scanObject(b []byte, i, depth int) (int, error) {
	if depth++; depth > MaxDepth {
		return i, errorAt(i, "nesting deeper than %d", MaxDepth)
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	var err error
	for {
		if i, err = scanKey(b, i); err != nil {
			return i, err
		}
		if i, err = scanValue(b, i, depth); err != nil {
			return i, err
		}
		var done bool
		if i, done, err = afterMember(b, i, '}'); done || err != nil {
			return i, err
		}
	}
}

// scanKey validates an object key at b[i], the whitespace and the colon
// after it, and returns the index of the member's value.
func scanKey(b []byte, i int) (int, error) {
	if i >= len(b) {
		return i, errorAt(i, "unexpected end of input in object")
	}
	if b[i] != '"' {
		return i, errorAt(i, "expected a string key, found %q", b[i])
	}
	end, _, err := scanString(b, i+1)
	if err != nil {
		return end, err
	}
	return afterKey(b, end)
}

// afterKey reads the colon after a key that ends at b[i] and returns the
// index of the member's value.
func afterKey(b []byte, i int) (int, error) {
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != ':' {
		return i, errorAt(i, "expected ':' after object key")
	}
	return skipSpace(b, i+1), nil
}

// scanArray validates the array at b[i] ('[').
func scanArray(b []byte, i, depth int) (int, error) {
	if depth++; depth > MaxDepth {
		return i, errorAt(i, "nesting deeper than %d", MaxDepth)
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	var err error
	for {
		if i, err = scanValue(b, i, depth); err != nil {
			return i, err
		}
		var done bool
		if i, done, err = afterMember(b, i, ']'); done || err != nil {
			return i, err
		}
	}
}

func scanLiteral(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, errorAt(i, "invalid literal, expected %s", lit)
	}
	return i + len(lit), nil
}

// scanNumber validates the number at b[i] against the JSON grammar
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and returns the index
// past it. What follows ("01", "1x") is the caller's to reject.
func scanNumber(b []byte, i int) (int, error) {
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i]-'1' <= 8:
		i = skipDigits(b, i+1)
	default:
		return i, errorAt(start, "invalid number")
	}
	if i < len(b) && b[i] == '.' {
		j := skipDigits(b, i+1)
		if j == i+1 {
			return j, errorAt(start, "invalid number")
		}
		i = j
	}
	if i < len(b) && b[i]|0x20 == 'e' {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := skipDigits(b, i)
		if j == i {
			return j, errorAt(start, "invalid number")
		}
		i = j
	}
	return i, nil
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && b[i]-'0' <= 9 {
		i++
	}
	return i
}

// skipSpace returns the index of the first non-whitespace byte at or after
// i. Vendor JSON is mostly compact, so the first test usually exits.
func skipSpace(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// SWAR constants: a byte-wise subtract of 0x01 borrows into bit 7 of a byte
// exactly when that byte was zero (the classic "haszero"), which finds
// quotes, backslashes and control characters eight bytes at a time.
const (
	swarLo = 0x0101010101010101
	swarHi = 0x8080808080808080
)

// specialMask flags (in bit 7) each byte of x that is '"', '\\' or below
// 0x20. Bytes above the lowest flagged one may be flagged spuriously by a
// borrow; the lowest one is always exact, which is all scanString uses.
//
// For a byte below 0x80, each difference has bit 7 set exactly when the
// byte is what it looks for (the quote, the backslash, a control
// character), and borrows out only then; a byte from 0x80 up is none of
// them, and the one &^ x clears its flag for all three at once.
func specialMask(x uint64) uint64 {
	q := x ^ (swarLo * '"')
	s := x ^ (swarLo * '\\')
	return ((q - swarLo) | (s - swarLo) | (x - swarLo*0x20)) &^ x & swarHi
}

// scanString validates a string whose opening quote is at i-1 and returns
// the index past its closing quote, and whether it holds an escape. It
// rejects raw control characters and bad escapes; like encoding/json it
// accepts invalid UTF-8.
func scanString(b []byte, i int) (end int, esc bool, err error) {
	start := i - 1
	for {
		for len(b)-i >= 8 {
			if m := specialMask(binary.LittleEndian.Uint64(b[i:])); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(b) {
			return i, esc, errorAt(start, "unterminated string")
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, esc, nil
		case c == '\\':
			n := escapeLen(b[i:])
			if n == 0 {
				return i, esc, errorAt(i, "invalid escape in string")
			}
			i += n
			esc = true
		case c < 0x20:
			return i, esc, errorAt(i, "control character in string")
		default:
			i++
		}
	}
}

// escapeLen returns the length of the valid escape sequence at the start of
// s (which begins with a backslash), or 0 if it is invalid or truncated.
func escapeLen(s []byte) int {
	if len(s) < 2 {
		return 0
	}
	switch s[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if len(s) < 6 {
			return 0
		}
		for _, h := range s[2:6] {
			if unhex(h) < 0 {
				return 0
			}
		}
		return 6
	}
	return 0
}

// afterMember reads what follows a member of an object (close '}') or an
// element of an array (close ']'): a ',' gives the start of the next one,
// the close gives done and the index past it.
func afterMember(b []byte, i int, close byte) (next int, done bool, err error) {
	in := "object"
	if close == ']' {
		in = "array"
	}
	i = skipSpace(b, i)
	if i >= len(b) {
		return i, false, errorAt(i, "unexpected end of input in %s", in)
	}
	switch b[i] {
	case ',':
		return skipSpace(b, i+1), false, nil
	case close:
		return i + 1, true, nil
	}
	return i, false, errorAt(i, "expected ',' or %q in %s, found %q", close, in, b[i])
}
