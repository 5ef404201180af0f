package jsonscan

import (
	"encoding/binary"
	"math/bits"
)

// The skipping scanners: for a document validated before (a record of a
// page Records split), they only find where a value ends. Scalars are
// still validated in full, being short; strings and containers are only
// followed through their quotes and brackets, so some garbage inside them
// (a control character, "[}") goes unnoticed. On any input they stay in
// bounds.

// skipValue returns the index past the value at b[i], i < len(b).
func skipValue(b []byte, i int) (int, error) {
	switch c := b[i]; c {
	case '"':
		return skipString(b, i+1)
	case '{', '[':
		return skipContainer(b, i)
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

// skipKey finds the end of a key whose opening quote is at i-1: the index
// past the closing quote (-1 if there is none) and whether it has escapes.
// It looks for the quote or a backslash eight bytes at a time.
func skipKey(b []byte, i int) (int, bool) {
	esc := false
	for {
		for len(b)-i >= 8 {
			x := binary.LittleEndian.Uint64(b[i:])
			q, s := x^(swarLo*'"'), x^(swarLo*'\\')
			if m := ((q-swarLo)&^q | (s-swarLo)&^s) & swarHi; m != 0 {
				i += bits.TrailingZeros64(m) >> 3 // the lowest flag is exact
				break
			}
			i += 8
		}
		if i >= len(b) {
			return -1, esc
		}
		switch b[i] {
		case '"':
			return i + 1, esc
		case '\\':
			esc = true
			i += 2
		default:
			i++
		}
	}
}

// skipString returns the index past the closing quote of the string whose
// opening quote is at i-1, counting the backslashes before each quote: an
// odd count means it is escaped.
func skipString(b []byte, i int) (int, error) {
	start := i - 1
	for {
		if i = indexQuote(b, i); i < 0 {
			return len(b), errorAt(start, "unterminated string")
		}
		// The opening quote stops this loop before it leaves the string.
		k := i
		for b[k-1] == '\\' {
			k--
		}
		if (i-k)&1 == 0 {
			return i + 1, nil
		}
		i++
	}
}

// indexQuote returns the index of the first '"' at or after i, or -1. It
// reads eight bytes at a time without the call overhead of
// bytes.IndexByte, which most values, being short, would pay in full.
func indexQuote(s []byte, i int) int {
	for ; len(s)-i >= 8; i += 8 {
		q := binary.LittleEndian.Uint64(s[i:]) ^ (swarLo * '"')
		if m := (q - swarLo) &^ q & swarHi; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(s); i++ {
		if s[i] == '"' {
			return i
		}
	}
	return -1
}

// skipContainer returns the index past the object or array at b[i],
// following strings and counting brackets.
func skipContainer(b []byte, i int) (int, error) {
	start, depth := i, 0
	for i < len(b) {
		switch b[i] {
		case '"':
			var err error
			if i, err = skipString(b, i+1); err != nil {
				return i, err
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return i + 1, nil
			}
		}
		i++
	}
	return i, errorAt(start, "unterminated object or array")
}
