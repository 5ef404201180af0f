package javatime

import (
	"errors"
	"strconv"
	"unicode/utf8"
)

// Errors returned by this package. Test for them with [errors.Is]; the
// returned errors carry the pattern, value or zone at fault.
var (
	// ErrPattern reports a pattern that does not compile. The error is a
	// [*PatternError].
	ErrPattern = errors.New("javatime: invalid pattern")

	// ErrParse reports a value that does not match its pattern. The error
	// is a [*ParseError].
	ErrParse = errors.New("javatime: cannot parse")

	// ErrZone reports a time zone name that is not known.
	ErrZone = errors.New("javatime: unknown time zone")
)

// PatternError reports a pattern that does not compile, naming the
// offending letter and its position.
type PatternError struct {
	// Pattern is the pattern as given.
	Pattern string
	// Pos is the byte offset of the offending item in Pattern.
	Pos int
	// Letter is the offending pattern letter, '\'' for an unterminated
	// quote, or 0 for an empty pattern.
	Letter byte
	// why says what is wrong and how to fix it.
	why string
}

// Error returns the reason, the letter, the position and the pattern,
// which is cut short past 64 bytes.
func (e *PatternError) Error() string {
	if e.Letter == 0 {
		return ErrPattern.Error() + ": " + e.why
	}
	return ErrPattern.Error() + ": " + e.why + " at position " + strconv.Itoa(e.Pos) + " in " + quote(e.Pattern) + e.hint()
}

func (e *PatternError) hint() string {
	switch {
	case e.Letter == 'X':
		return "; use X, XX or XXX"
	case e.Letter != '\'':
		return "; quote literal text, as in 'T'"
	case e.Pos == len(e.Pattern)-1:
		return "; remove the trailing ' or close it"
	}
	return "; close it with another ' or write '' for a literal quote"
}

// Is reports whether target is [ErrPattern].
func (e *PatternError) Is(target error) bool { return target == ErrPattern }

// ParseError reports a value that does not match its pattern.
type ParseError struct {
	// Value and Pattern are as given.
	Value, Pattern string
	// Pos is the byte offset in Value where matching failed, or -1 when
	// every item matched but the fields do not make a time (February
	// 30th, a day name that contradicts the date).
	Pos int
	// why says what was wanted there, or why the fields do not agree.
	why string
}

// Error returns the value and pattern, each cut short past 64 bytes, the
// position and the reason.
func (e *ParseError) Error() string {
	s := ErrParse.Error() + " " + quote(e.Value) + " with pattern " + quote(e.Pattern)
	if e.Pos >= 0 {
		s += " at position " + strconv.Itoa(e.Pos)
	}
	return s + ": " + e.why
}

// Is reports whether target is [ErrParse].
func (e *ParseError) Is(target error) bool { return target == ErrParse }

// maxQuoted is how many bytes of a value or pattern a message shows.
const maxQuoted = 64

// quote quotes s for a message, cut at a rune boundary past maxQuoted
// bytes and followed by its length, so that a huge value makes a short
// message.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for i := maxQuoted; i > maxQuoted-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			cut = i
			break
		}
	}
	return strconv.Quote(s[:cut]) + "…(" + strconv.Itoa(len(s)) + " bytes)"
}
