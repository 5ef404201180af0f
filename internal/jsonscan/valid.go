package jsonscan

import (
	"encoding/binary"
	"math/bits"
)

// The fast validators: the grammar of the validating scanners in scan.go,
// accepting exactly what they accept, but answering only where a value
// ends, or -1 when it is not valid. Without an error to build on the way
// out they are leaf-like loops, with strings, keys and separators read in
// line; a webhook body or a page is mostly keys and short strings, so the
// cost per member is what counts. The check* wrappers run them first and,
// only on a failure, the scanner of scan.go over the same value for the
// error and its offset: a valid document is read once, an invalid one
// once more up to its first problem. The scanners of scan.go never call
// back into these, so an error costs no more than one extra pass.

// checkValue is scanValue through the fast validator.
func checkValue(b []byte, i, depth int) (int, error) {
	if end := validValue(b, i, depth); end >= 0 {
		return end, nil
	}
	return scanValue(b, i, depth)
}

// checkObject is scanObject through the fast validator.
func checkObject(b []byte, i, depth int) (int, error) {
	if end := validObject(b, i, depth); end >= 0 {
		return end, nil
	}
	return scanObject(b, i, depth)
}

// checkString is scanString through the fast validator.
func checkString(b []byte, i int) (end int, esc bool, err error) {
	if end, esc = validString(b, i); end >= 0 {
		return end, esc, nil
	}
	return scanString(b, i)
}

// validValue is scanValue answering only the end, or -1.
func validValue(b []byte, i, depth int) int {
	if i >= len(b) {
		return -1
	}
	switch c := b[i]; c {
	case '"':
		end, _ := validString(b, i+1)
		return end
	case '{':
		return validObject(b, i, depth)
	case '[':
		return validArray(b, i, depth)
	case 't':
		return validLiteral(b, i, "true")
	case 'f':
		return validLiteral(b, i, "false")
	case 'n':
		return validLiteral(b, i, "null")
	default:
		if c == '-' || c-'0' <= 9 {
			return validNumber(b, i)
		}
		return -1
	}
}

// validObject is scanObject answering only the end, or -1.
func validObject(b []byte, i, depth int) int {
	if depth++; depth > MaxDepth {
		return -1
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1
	}
	for {
		// The key and its colon.
		if i >= len(b) || b[i] != '"' {
			return -1
		}
		if i = nextSpecial(b, i+1); i < len(b) && b[i] == '"' {
			i++
		} else if i, _ = validEscaped(b, i); i < 0 {
			return -1
		}
		if i < len(b) && b[i] == ':' { // compact JSON
			i++
		} else if i = skipSpace(b, i); i >= len(b) || b[i] != ':' {
			return -1
		} else {
			i++
		}
		// The value; a string, the most common, without a call.
		if i = skipSpace(b, i); i < len(b) && b[i] == '"' {
			if i = nextSpecial(b, i+1); i < len(b) && b[i] == '"' {
				i++
			} else {
				i, _ = validEscaped(b, i)
			}
		} else {
			i = validValue(b, i, depth)
		}
		if i < 0 {
			return -1
		}
		// A comma or the end.
		if i = skipSpace(b, i); i >= len(b) {
			return -1
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return i + 1
		default:
			return -1
		}
	}
}

// validArray is scanArray answering only the end, or -1.
func validArray(b []byte, i, depth int) int {
	if depth++; depth > MaxDepth {
		return -1
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1
	}
	for {
		if i = validValue(b, i, depth); i < 0 {
			return -1
		}
		if i = skipSpace(b, i); i >= len(b) {
			return -1
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			return i + 1
		default:
			return -1
		}
	}
}

// validString is scanString answering only the end (-1 when the string is
// not valid) and whether the string holds an escape.
func validString(b []byte, i int) (end int, esc bool) {
	if i = nextSpecial(b, i); i < len(b) && b[i] == '"' {
		return i + 1, false
	}
	return validEscaped(b, i)
}

// nextSpecial returns the index of the first '"', '\\' or control
// character at or after i, or len(b). It calls nothing, so that the
// common string, without escapes, costs a call without a frame: the
// loops call it and test for the closing quote in line.
func nextSpecial(b []byte, i int) int {
	b = b[:len(b):len(b)] // so that the loop's bound covers the slicing
	for i >= 0 && i+8 <= len(b) {
		if m := specialMask(binary.LittleEndian.Uint64(b[i : i+8])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return i
}

// validEscaped is validString from b[i], the first byte nextSpecial found
// that is not the closing quote: a backslash, a control character, or
// the end of b.
func validEscaped(b []byte, i int) (end int, esc bool) {
	for i < len(b) {
		switch b[i] {
		case '"':
			return i + 1, esc
		case '\\':
			n := escapeLen(b[i:])
			if n == 0 {
				return -1, true
			}
			i = nextSpecial(b, i+n)
			esc = true
		default: // a control character
			return -1, esc
		}
	}
	return -1, esc
}

// validLiteral is scanLiteral answering only the end, or -1.
func validLiteral(b []byte, i int, lit string) int {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// validNumber is scanNumber answering only the end, or -1.
func validNumber(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i]-'1' <= 8:
		i = skipDigits(b, i+1)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		j := skipDigits(b, i+1)
		if j == i+1 {
			return -1
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
			return -1
		}
		i = j
	}
	return i
}

// validPathObject is [walker.object] of a validating walk that splits no
// records, answering only the end, or -1 when the object is not valid (or
// a member on a path is not what the path needs): the caller then walks
// the object again with object, for the error. It is validObject's loop
// with the paths looked up in it, for the objects on the paths, which
// hold most of a webhook body's members.
func (w *walker) validPathObject(b []byte, i, depth, level int, active uint64) int {
	if depth++; depth > MaxDepth {
		return -1
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1
	}
	for {
		// The key and its colon.
		if i >= len(b) || b[i] != '"' {
			return -1
		}
		keyStart := i + 1
		end, esc := nextSpecial(b, keyStart), false
		if end < len(b) && b[end] == '"' {
			end++
		} else if end, esc = validEscaped(b, end); end < 0 {
			return -1
		}
		if i = skipSpace(b, end); i >= len(b) || b[i] != ':' {
			return -1
		}
		if i = skipSpace(b, i+1); i >= len(b) {
			return -1
		}
		// The paths it may be on; as in object.
		var matched uint64
		if active != 0 && (esc || w.lens[level]&lenBit(end-1-keyStart) != 0) {
			key := b[keyStart : end-1]
			for m := active; m != 0; m &= m - 1 {
				f := bits.TrailingZeros64(m)
				if w.paths[f].segs[level].matches(key, esc) {
					matched |= 1 << f
				}
			}
		}
		// The value; a string, the most common, in line.
		switch {
		case matched != 0:
			var err error
			if i, err = w.member(b, i, depth, level, matched, false); err != nil {
				return -1
			}
		case b[i] == '"':
			if i = nextSpecial(b, i+1); i < len(b) && b[i] == '"' {
				i++
			} else if i, _ = validEscaped(b, i); i < 0 {
				return -1
			}
		default:
			if i = validValue(b, i, depth); i < 0 {
				return -1
			}
		}
		// A comma or the end.
		if i = skipSpace(b, i); i >= len(b) {
			return -1
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return i + 1
		default:
			return -1
		}
	}
}
