// Package quote shortens outside input for error messages and log lines,
// so that a huge value makes a short message. Messages still name the key,
// field or header the value came from; the value itself is only a hint.
//
//	return fmt.Errorf("%s: must be webhook or polling, got %s", key, quote.String(v))
package quote

import (
	"strconv"
	"unicode/utf8"
)

// Max is how many bytes of a value a message shows at most.
const Max = 64

// String returns s quoted as strconv.Quote does when s is at most Max
// bytes. A longer s is cut to at most Max bytes, at a rune boundary when
// it is valid UTF-8, quoted, and followed by "…(N bytes)", N being len(s):
// `"aaaa…aaaa"…(10485760 bytes)`.
func String(s string) string {
	if len(s) <= Max {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:cutAt(s, Max)]) + suffix(len(s))
}

// Cut returns s unchanged when it is at most Max bytes, else its first Max
// bytes (cut as [String] cuts) followed by "…(N bytes)". It is for log
// attributes, which the log handler quotes itself.
func Cut(s string) string { return CutN(s, Max) }

// CutN is [Cut] with a limit of n bytes instead of Max, for text such as a
// key path that is useful longer than a value, but must still be bounded.
func CutN(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:cutAt(s, n)] + suffix(len(s))
}

// cutAt returns where to cut a string longer than n bytes: at n, or before
// the rune that n would split, so that valid UTF-8 stays valid.
func cutAt(s string, n int) int {
	for i := n; i > n-utf8.UTFMax && i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return i
		}
	}
	return n // not UTF-8 here: strconv.Quote escapes the bytes anyway
}

func suffix(n int) string { return "…(" + strconv.Itoa(n) + " bytes)" }
