package webhook

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"unicode/utf8"
)

// JSON bodies are validated in one pass by validJSON, which accepts exactly
// what json.Valid accepts (FuzzHandlerValidJSON holds them to it), and the
// members an event needs are picked in the same pass (validObjectPicking)
// or by walking the validated bytes; the rest of the body, which nobody
// reads here, is never decoded. On a 1.3 KiB WooCommerce order, decoding
// into a map[string]json.RawMessage took about 26 µs and json.Valid alone
// 5.5 µs, the larger part of the handler's own time; validJSON takes
// 1.3 µs. The values picked are decoded with encoding/json (unquote).

// maxJSONDepth bounds nesting as encoding/json does, so that a body of a
// million '[' is refused rather than recursed into.
const maxJSONDepth = 10000

// validJSON reports whether b is one JSON value (RFC 8259, as encoding/json
// reads it: strings may hold invalid UTF-8) with only space around it.
func validJSON(b []byte) bool {
	i, ok := validValue(b, skipSpace(b, 0), 0)
	return ok && skipSpace(b, i) == len(b)
}

// validValue checks the value at b[i] and returns the index after it.
func validValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; c {
	case '"':
		return validString(b, i)
	case '{', '[':
		if depth >= maxJSONDepth {
			return i, false
		}
		if c == '{' {
			return validObject(b, i, depth+1, nil)
		}
		return validArray(b, i, depth+1)
	case 't':
		return validLiteral(b, i, "true")
	case 'f':
		return validLiteral(b, i, "false")
	case 'n':
		return validLiteral(b, i, "null")
	}
	return validNumber(b, i)
}

// validObjectPicking validates body, trimmed of space, as one JSON object
// and hands each of its members to p, in the same pass.
func validObjectPicking(body []byte, p *picker) bool {
	if len(body) == 0 || body[0] != '{' {
		return false
	}
	i, ok := validObject(body, 0, 1, p)
	return ok && i == len(body)
}

// validObject checks the object at b[i]; p, if not nil, is given its
// members.
func validObject(b []byte, i, depth int, p *picker) (int, bool) {
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return i, false
		}
		ks := i
		var ok bool
		if i, ok = validString(b, i); !ok {
			return i, false
		}
		ke := i
		if i = skipSpace(b, i); i >= len(b) || b[i] != ':' {
			return i, false
		}
		vs := skipSpace(b, i+1)
		if i, ok = validValue(b, vs, depth); !ok {
			return i, false
		}
		if p != nil {
			p.member(b[ks:ke], b[vs:i])
		}
		if i = skipSpace(b, i); i >= len(b) {
			return i, false
		}
		switch b[i] {
		case '}':
			return i + 1, true
		case ',':
			i = skipSpace(b, i+1)
		default:
			return i, false
		}
	}
}

func validArray(b []byte, i, depth int) (int, bool) {
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for {
		var ok bool
		if i, ok = validValue(b, i, depth); !ok {
			return i, false
		}
		if i = skipSpace(b, i); i >= len(b) {
			return i, false
		}
		switch b[i] {
		case ']':
			return i + 1, true
		case ',':
			i = skipSpace(b, i+1)
		default:
			return i, false
		}
	}
}

// plainString marks the bytes a string holds without a closer look: not a
// quote, a backslash or a control character.
var plainString = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func validString(b []byte, i int) (int, bool) {
	i++
	for i < len(b) {
		// Eight plain bytes at a time: none is a quote, a backslash or
		// below 0x20 (the has-zero-byte and has-less-than tricks).
		for i+8 <= len(b) {
			v := binary.LittleEndian.Uint64(b[i:])
			q, bs := v^(ones*'"'), v^(ones*'\\')
			if ((q-ones)&^q|(bs-ones)&^bs|(v-ones*0x20)&^v)&highs != 0 {
				break
			}
			i += 8
		}
		for i < len(b) && plainString[b[i]] {
			i++
		}
		if i >= len(b) {
			break
		}
		switch b[i] {
		case '"':
			return i + 1, true
		case '\\':
			if i+1 >= len(b) {
				return i, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return i, false
				}
				for _, h := range b[i+2 : i+6] {
					if !isHex(h) {
						return i, false
					}
				}
				i += 6
			default:
				return i, false
			}
		default: // a control character
			return i, false
		}
	}
	return i, false
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func validLiteral(b []byte, i int, lit string) (int, bool) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, false
	}
	return i + len(lit), true
}

// validNumber checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?; what
// follows is the caller's to check.
func validNumber(b []byte, i int) (int, bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return i, false
	case b[i] == '0':
		i++
	case '1' <= b[i] && b[i] <= '9':
		i = skipDigits(b, i+1)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		j := skipDigits(b, i+1)
		if j == i+1 {
			return j, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := skipDigits(b, i)
		if j == i {
			return j, false
		}
		i = j
	}
	return i, true
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// unquote returns the value of a JSON string, as encoding/json decodes it.
func unquote(raw []byte) string {
	if len(raw) >= 2 && raw[len(raw)-1] == '"' {
		inner := raw[1 : len(raw)-1]
		if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
			return string(inner)
		}
	}
	var s string
	_ = json.Unmarshal(raw, &s) // raw comes from a valid body
	return s
}

// keyIs reports whether the JSON string key (quotes included) is name. A
// key without escapes is compared as bytes.
func keyIs(key []byte, name string) bool {
	if len(key) < 2 {
		return false
	}
	inner := key[1 : len(key)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner) == name
	}
	return unquote(key) == name
}

// picker collects the values at a normalizer's paths from the members of
// one JSON object: for each path, the value of the member named by its first
// segment.
type picker struct {
	paths *[numPaths]dottedPath
	raws  [numPaths][]byte
}

func (p *picker) member(key, value []byte) {
	for i := range p.paths {
		if segs := p.paths[i].segs; len(segs) > 0 && keyIs(key, segs[0]) {
			p.raws[i] = value // a repeated key means its last value, as encoding/json has it
		}
	}
}

// follow walks segs through nested objects of the JSON value v. A missing
// key, or a value on the way that is not an object, means absent.
func follow(v []byte, segs []string) ([]byte, bool) {
	for _, seg := range segs {
		var found []byte
		forMembers(v, func(key, value []byte) {
			if keyIs(key, seg) {
				found = value
			}
		})
		if found == nil {
			return nil, false
		}
		v = found
	}
	return v, true
}

// The walkers below read JSON that json.Valid accepted, trimmed of
// surrounding space. On anything else they stay in bounds and stop early.

// forMembers calls fn with each key (quotes included) and value of the
// JSON object obj; nothing when obj is not an object.
func forMembers(obj []byte, fn func(key, value []byte)) {
	if len(obj) == 0 || obj[0] != '{' {
		return
	}
	i := 1
	for {
		i = skipSpace(obj, i)
		if i >= len(obj) || obj[i] != '"' {
			return // '}' or not JSON
		}
		ks := i
		i = skipString(obj, i)
		key := obj[ks:i]
		if i = skipSpace(obj, i); i >= len(obj) || obj[i] != ':' {
			return
		}
		vs := skipSpace(obj, i+1)
		if i = skipValue(obj, vs); i == vs {
			return
		}
		fn(key, obj[vs:i])
		if i = skipSpace(obj, i); i >= len(obj) || obj[i] != ',' {
			return
		}
		i++
	}
}

// elements returns the elements of the JSON array arr.
func elements(arr []byte) [][]byte {
	if len(arr) == 0 || arr[0] != '[' {
		return nil
	}
	var out [][]byte
	for i := skipSpace(arr, 1); i < len(arr) && arr[i] != ']'; {
		vs := i
		if i = skipValue(arr, vs); i == vs {
			break
		}
		out = append(out, arr[vs:i])
		if i = skipSpace(arr, i); i >= len(arr) || arr[i] != ',' {
			break
		}
		i = skipSpace(arr, i+1)
	}
	return out
}

// trimSpace trims JSON's space (not bytes.TrimSpace's, which also trims
// \v, \f and Unicode spaces that make a body invalid JSON).
func trimSpace(b []byte) []byte {
	i := skipSpace(b, 0)
	j := len(b)
	for j > i && (b[j-1] == ' ' || b[j-1] == '\t' || b[j-1] == '\n' || b[j-1] == '\r') {
		j--
	}
	return b[i:j]
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string that starts at b[i]. It
// jumps from quote to quote, so a long string costs an IndexByte.
func skipString(b []byte, i int) int {
	start := i
	for {
		j := bytes.IndexByte(b[i+1:], '"')
		if j < 0 {
			return len(b)
		}
		i += 1 + j
		// The quote ends the string unless an odd run of backslashes
		// escapes it.
		k := i - 1
		for k > start && b[k] == '\\' {
			k--
		}
		if (i-1-k)%2 == 0 {
			return i + 1
		}
	}
}

// skipValue returns the index after the value that starts at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(b)
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}
