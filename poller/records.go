package poller

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"strings"
)

// maxJSONDepth bounds nesting like encoding/json does, so a page of ten
// million '[' is an error rather than ten million stack frames, and a page
// encoding/json rejects for depth is rejected here too.
const maxJSONDepth = 10000

// malformedAt reports a bad page or record at byte offset off. It is only
// called on the error path, so the fmt allocation does not matter.
func malformedAt(off int, format string, args ...any) error {
	return fmt.Errorf("%w: offset %d: %s", ErrMalformedPage, off, fmt.Sprintf(format, args...))
}

// splitRecords returns the elements of the JSON array found at the dotted
// path in body ("" = body is the array; "Items"; "data.items"), each as a
// sub-slice of body (no copies), with the whitespace around it trimmed.
//
// It validates the whole body in the same pass (the grammar of RFC 8259,
// as strictly as encoding/json, including its nesting limit), so every
// record it returns is valid JSON and garbage anywhere in the page is an
// error rather than a short page. Errors wrap [ErrMalformedPage] and give
// the byte offset: body not JSON, path missing, value at path not an
// array, an element not an object, trailing garbage.
//
// The path follows encoding/json's map semantics: keys are compared after
// unescaping, a duplicated key means its last value, and a null at the path
// (or on the way to it) is zero records. Keys containing '.' cannot be
// addressed.
func splitRecords(body []byte, path string) ([][]byte, error) {
	i := skipSpace(body, 0)
	recs, i, err := splitValue(body, i, path, path, 0)
	if err != nil {
		return nil, err
	}
	if i = skipSpace(body, i); i != len(body) {
		return nil, malformedAt(i, "unexpected %q after the top-level value", body[i])
	}
	return recs, nil
}

// splitValue reads the value at body[i], which the rest of the path (rest)
// must lead to an array of records. full is the whole path, for messages.
func splitValue(body []byte, i int, rest, full string, depth int) ([][]byte, int, error) {
	if i >= len(body) {
		return nil, i, malformedAt(i, "unexpected end of input")
	}
	switch c := body[i]; {
	case c == 'n':
		// null at or on the way to the path: the vendor has nothing to list.
		end, err := scanValue(body, i, depth)
		return nil, end, err
	case rest == "" && c == '[':
		return splitArray(body, i, depth)
	case rest == "":
		return nil, i, malformedAt(i, "value at records path %q is not an array", full)
	case c == '{':
		return splitObject(body, i, rest, full, depth)
	default:
		return nil, i, malformedAt(i, "records path %q: value is not an object", full)
	}
}

// splitObject walks the object at body[i] looking for the next segment of
// rest, validating every other member.
func splitObject(body []byte, i int, rest, full string, depth int) ([][]byte, int, error) {
	if depth++; depth > maxJSONDepth {
		return nil, i, malformedAt(i, "nesting deeper than %d", maxJSONDepth)
	}
	seg, rest, _ := strings.Cut(rest, ".")
	start := i
	var (
		recs  [][]byte
		found bool
		err   error
	)
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		return nil, i, malformedAt(start, "records path %q not found", full)
	}
	for {
		var key []byte
		key, i, err = scanKey(body, i)
		if err != nil {
			return nil, i, err
		}
		if keyEquals(key, seg) {
			// Last one wins, as with encoding/json and a map.
			recs, i, err = splitValue(body, i, rest, full, depth)
			found = true
		} else {
			i, err = scanValue(body, i, depth)
		}
		if err != nil {
			return nil, i, err
		}
		i = skipSpace(body, i)
		if i >= len(body) {
			return nil, i, malformedAt(i, "unexpected end of input in object")
		}
		switch body[i] {
		case ',':
			i = skipSpace(body, i+1)
		case '}':
			if !found {
				return nil, i + 1, malformedAt(start, "records path %q not found", full)
			}
			return recs, i + 1, nil
		default:
			return nil, i, malformedAt(i, "expected ',' or '}' in object, found %q", body[i])
		}
	}
}

// splitArray validates the array of records at body[i] and returns its
// elements as sub-slices of body.
func splitArray(body []byte, i, depth int) ([][]byte, int, error) {
	if depth++; depth > maxJSONDepth {
		return nil, i, malformedAt(i, "nesting deeper than %d", maxJSONDepth)
	}
	start := i
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == ']' {
		return [][]byte{}, i + 1, nil
	}
	var recs [][]byte
	for {
		if i >= len(body) {
			return nil, i, malformedAt(i, "unexpected end of input in array")
		}
		if body[i] != '{' {
			return nil, i, malformedAt(i, "records must be objects")
		}
		end, err := scanObject(body, i, depth)
		if err != nil {
			return nil, end, err
		}
		if recs == nil {
			// Guess the count from the first record, with 1/8 slack for
			// records of varying size, so a 10,000-record page costs one
			// allocation instead of fifteen doublings. The guess assumes
			// records of at least 64 bytes so a tiny first record cannot
			// reserve more than a fraction of the body's size.
			est := (len(body) - start) / max(end-i+1, 64)
			recs = make([][]byte, 0, 1+est+est/8)
		}
		recs = append(recs, body[i:end:end])
		i = skipSpace(body, end)
		if i >= len(body) {
			return nil, i, malformedAt(i, "unexpected end of input in array")
		}
		switch body[i] {
		case ',':
			i = skipSpace(body, i+1)
		case ']':
			return recs, i + 1, nil
		default:
			return nil, i, malformedAt(i, "expected ',' or ']' in array, found %q", body[i])
		}
	}
}

// keyEquals reports whether the raw (still quoted-content) key decodes to
// seg. Only a key with an escape, or a segment with non-ASCII bytes (which
// invalid UTF-8 in the key might decode to as U+FFFD), needs decoding.
func keyEquals(raw []byte, seg string) bool {
	if string(raw) == seg {
		return true
	}
	if !needsUnquote(raw) {
		return false
	}
	var buf [64]byte
	dec, ok := appendUnquoted(buf[:0], raw)
	return ok && string(dec) == seg
}

// scanKey reads an object key at body[i] (a string), the whitespace and the
// colon after it, and returns the key's raw contents and the index of the
// member's value.
func scanKey(body []byte, i int) ([]byte, int, error) {
	if i >= len(body) {
		return nil, i, malformedAt(i, "unexpected end of input in object")
	}
	if body[i] != '"' {
		return nil, i, malformedAt(i, "expected a string key, found %q", body[i])
	}
	end, err := scanString(body, i+1)
	if err != nil {
		return nil, end, err
	}
	key := body[i+1 : end-1]
	i = skipSpace(body, end)
	if i >= len(body) || body[i] != ':' {
		return nil, i, malformedAt(i, "expected ':' after object key")
	}
	return key, skipSpace(body, i+1), nil
}

// scanValue validates the JSON value at body[i] and returns the index just
// past it.
func scanValue(body []byte, i, depth int) (int, error) {
	if i >= len(body) {
		return i, malformedAt(i, "unexpected end of input, expected a value")
	}
	switch c := body[i]; c {
	case '"':
		return scanString(body, i+1)
	case '{':
		return scanObject(body, i, depth)
	case '[':
		return scanArray(body, i, depth)
	case 't':
		return scanLiteral(body, i, "true")
	case 'f':
		return scanLiteral(body, i, "false")
	case 'n':
		return scanLiteral(body, i, "null")
	default:
		if c == '-' || c-'0' <= 9 {
			return scanNumber(body, i)
		}
		return i, malformedAt(i, "unexpected %q, expected a value", c)
	}
}

// scanObject validates the object at body[i] ('{').
func scanObject(body []byte, i, depth int) (int, error) {
	if depth++; depth > maxJSONDepth {
		return i, malformedAt(i, "nesting deeper than %d", maxJSONDepth)
	}
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		return i + 1, nil
	}
	var err error
	for {
		if _, i, err = scanKey(body, i); err != nil {
			return i, err
		}
		if i, err = scanValue(body, i, depth); err != nil {
			return i, err
		}
		i = skipSpace(body, i)
		if i >= len(body) {
			return i, malformedAt(i, "unexpected end of input in object")
		}
		switch body[i] {
		case ',':
			i = skipSpace(body, i+1)
		case '}':
			return i + 1, nil
		default:
			return i, malformedAt(i, "expected ',' or '}' in object, found %q", body[i])
		}
	}
}

// scanArray validates the array at body[i] ('[').
func scanArray(body []byte, i, depth int) (int, error) {
	if depth++; depth > maxJSONDepth {
		return i, malformedAt(i, "nesting deeper than %d", maxJSONDepth)
	}
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == ']' {
		return i + 1, nil
	}
	var err error
	for {
		if i, err = scanValue(body, i, depth); err != nil {
			return i, err
		}
		i = skipSpace(body, i)
		if i >= len(body) {
			return i, malformedAt(i, "unexpected end of input in array")
		}
		switch body[i] {
		case ',':
			i = skipSpace(body, i+1)
		case ']':
			return i + 1, nil
		default:
			return i, malformedAt(i, "expected ',' or ']' in array, found %q", body[i])
		}
	}
}

func scanLiteral(body []byte, i int, lit string) (int, error) {
	if len(body)-i < len(lit) || string(body[i:i+len(lit)]) != lit {
		return i, malformedAt(i, "invalid literal, expected %s", lit)
	}
	return i + len(lit), nil
}

// scanNumber validates the number at body[i] against the JSON grammar
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and returns the index
// past it. What follows ("01", "1x") is the caller's to reject.
func scanNumber(body []byte, i int) (int, error) {
	start := i
	if i < len(body) && body[i] == '-' {
		i++
	}
	switch {
	case i < len(body) && body[i] == '0':
		i++
	case i < len(body) && body[i]-'1' <= 8:
		i = skipDigits(body, i+1)
	default:
		return i, malformedAt(start, "invalid number")
	}
	if i < len(body) && body[i] == '.' {
		j := skipDigits(body, i+1)
		if j == i+1 {
			return j, malformedAt(start, "invalid number")
		}
		i = j
	}
	if i < len(body) && body[i]|0x20 == 'e' {
		i++
		if i < len(body) && (body[i] == '+' || body[i] == '-') {
			i++
		}
		j := skipDigits(body, i)
		if j == i {
			return j, malformedAt(start, "invalid number")
		}
		i = j
	}
	return i, nil
}

func skipDigits(body []byte, i int) int {
	for i < len(body) && body[i]-'0' <= 9 {
		i++
	}
	return i
}

// skipSpace returns the index of the first non-whitespace byte at or after
// i. Vendor pages are mostly compact, so the first test usually exits.
func skipSpace(body []byte, i int) int {
	for i < len(body) && body[i] <= ' ' {
		switch body[i] {
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
func specialMask(x uint64) uint64 {
	q := x ^ (swarLo * '"')
	b := x ^ (swarLo * '\\')
	return (((q - swarLo) &^ q) | ((b - swarLo) &^ b) | ((x - swarLo*0x20) &^ x)) & swarHi
}

// scanString validates a string whose opening quote is at i-1 and returns
// the index past its closing quote. It checks escapes and rejects raw
// control characters; like encoding/json it accepts invalid UTF-8 (decoding
// turns it into U+FFFD).
func scanString(body []byte, i int) (int, error) {
	start := i - 1
	for {
		for len(body)-i >= 8 {
			if m := specialMask(binary.LittleEndian.Uint64(body[i:])); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(body) {
			return i, malformedAt(start, "unterminated string")
		}
		switch c := body[i]; {
		case c == '"':
			return i + 1, nil
		case c == '\\':
			n := escapeLen(body[i:])
			if n == 0 {
				return i, malformedAt(i, "invalid escape in string")
			}
			i += n
		case c < 0x20:
			return i, malformedAt(i, "control character in string")
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

func unhex(c byte) rune {
	switch {
	case c-'0' <= 9:
		return rune(c - '0')
	case c|0x20-'a' <= 5:
		return rune(c|0x20-'a') + 10
	}
	return -1
}
