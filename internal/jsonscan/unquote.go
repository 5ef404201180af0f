package jsonscan

import (
	"encoding/binary"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// needsUnquote reports whether string contents need AppendUnquoted: they
// hold an escape, a control character or non-ASCII bytes (which may be
// invalid UTF-8). It tests eight bytes at a time: a borrow can flag a byte
// wrongly only above one rightly flagged, so "any" is exact.
func needsUnquote(s []byte) bool {
	i := 0
	for ; len(s)-i >= 8; i += 8 {
		x := binary.LittleEndian.Uint64(s[i:])
		b := x ^ (swarLo * '\\')
		if ((x-swarLo*0x20)&^x|x|(b-swarLo)&^b)&swarHi != 0 {
			return true
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// AppendUnquoted appends the decoded contents of a JSON string (without
// its quotes) to dst, exactly as encoding/json decodes them: invalid UTF-8
// and lone surrogates become U+FFFD. ok is false for an invalid escape, a
// control character or an unescaped quote.
func AppendUnquoted(dst, s []byte) (_ []byte, ok bool) {
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '\\':
			if i+1 >= len(s) {
				return dst, false
			}
			switch s[i+1] {
			case '"', '\\', '/':
				dst = append(dst, s[i+1])
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				r := getU4(s[i:])
				if r < 0 {
					return dst, false
				}
				i += 6
				if utf16.IsSurrogate(r) {
					if dec := utf16.DecodeRune(r, getU4(s[i:])); dec != unicode.ReplacementChar {
						i += 6
						r = dec
					} else {
						r = unicode.ReplacementChar
					}
				}
				dst = utf8.AppendRune(dst, r)
				continue
			default:
				return dst, false
			}
			i += 2
		case c < 0x20 || c == '"':
			return dst, false
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			dst = utf8.AppendRune(dst, r) // RuneError for invalid bytes, one each
			i += size
		}
	}
	return dst, true
}

// getU4 decodes the \uXXXX escape at the start of s, or returns -1.
func getU4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		h := unhex(c)
		if h < 0 {
			return -1
		}
		r = r<<4 | h
	}
	return r
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

// segment is one key of a compiled dotted path.
type segment struct {
	name string
	// ascii is true when name is pure ASCII. Then a key without escapes can
	// only match by being byte-equal: decoding would only turn invalid UTF-8
	// into U+FFFD, which an ASCII name cannot contain.
	ascii bool
}

func newSegment(name string) segment {
	s := segment{name: name, ascii: true}
	for j := range len(name) {
		if name[j] >= utf8.RuneSelf {
			s.ascii = false
		}
	}
	return s
}

// matches reports whether a raw key (the contents between its quotes)
// names the segment. esc says whether the key holds a backslash. It is
// small enough to be inlined into the walk, which calls it for every key.
func (s *segment) matches(key []byte, esc bool) bool {
	if !esc && s.ascii {
		return string(key) == s.name
	}
	return s.matchesDecoded(key)
}

// matchesDecoded is matches for a key that may need decoding to compare.
func (s *segment) matchesDecoded(key []byte) bool {
	if string(key) == s.name {
		return true
	}
	if !needsUnquote(key) {
		return false
	}
	var buf [64]byte
	dec, ok := AppendUnquoted(buf[:0], key)
	return ok && string(dec) == s.name
}
