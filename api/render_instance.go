package api

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/internal/jsonscan"
)

// redactedJSON is a secret's value in an answer.
var redactedJSON = []byte(`"` + redacted + `"`)

// ownKeys are the keys of the members a record sets, in the order
// appendInstanceFast writes their values (the token second).
var ownKeys = [6][]byte{[]byte(fieldID), []byte(fieldToken), []byte(fieldDisabled),
	[]byte(fieldVersion), []byte(fieldCreated), []byte(fieldUpdated)}

// renderScratch is appendInstanceFast's working memory, pooled: a page
// renders a hundred instances, and memory on the stack would escape.
type renderScratch struct {
	config [32]member
	own    [160]byte
}

var scratchPool = sync.Pool{New: func() any { return new(renderScratch) }}

// member is one member of an object being rendered: its key as written
// between quotes (no escapes), and its value as JSON, or, when object is
// not nil, the object of those members.
type member struct {
	key, value []byte
	object     []member
}

// appendInstance appends renderInstance's JSON of rec to dst. A list of
// instances renders a hundred bodies of a kilobyte or more, so it copies
// the stored body's members as written (a stored body is compact JSON, as
// the engine encodes it) and builds no maps; a body it cannot copy so
// (not valid, an escaped, non-ASCII or repeated key) goes through
// renderInstanceMap, with the same result.
func appendInstance(dst []byte, rec engine.Record, token string) []byte {
	if out, ok := appendInstanceFast(dst, rec, token); ok {
		return out
	}
	return append(dst, renderInstanceMap(rec, token)...)
}

// appendInstanceFast is appendInstance for a body whose members it can
// copy; ok is false, and dst unchanged, for any other.
func appendInstanceFast(dst []byte, rec engine.Record, token string) (_ []byte, ok bool) {
	if jsonscan.Valid(rec.Body) != nil {
		return dst, false
	}
	var arr [16]member
	sc := scratchPool.Get().(*renderScratch)
	defer func() {
		clear(sc.config[:]) // hold no body in the pool
		scratchPool.Put(sc)
	}()
	config := sc.config[:] // rendered in place, not in a buffer of its own
	body, ok := members(arr[:0], rec.Body)
	if !ok {
		return dst, false
	}
	// The record's own values: the members it sets replace the body's.
	own := appendJSONString(sc.own[:0], rec.ID)
	ends := [6]int{len(own)}
	if token != "" {
		own = appendJSONString(own, token)
	}
	ends[1] = len(own)
	own = strconv.AppendBool(own, !rec.Enabled)
	ends[2] = len(own)
	own = strconv.AppendInt(own, rec.Version, 10)
	ends[3] = len(own)
	own = appendJSONTime(own, rec.Created)
	ends[4] = len(own)
	own = appendJSONTime(own, rec.Updated)
	ends[5] = len(own)

	ms := body[:0]
	for _, m := range body {
		switch string(m.key) {
		case fieldID, fieldDisabled, fieldVersion, fieldCreated, fieldUpdated:
			continue
		case fieldToken:
			if token != "" {
				continue
			}
		case "configuration":
			if m.object, ok = redactedConfig(config[:0], m.value); !ok {
				return dst, false
			}
		}
		ms = append(ms, m)
	}
	for i, k := range ownKeys {
		from := 0
		if i > 0 {
			from = ends[i-1]
		}
		if i == 1 && token == "" {
			continue
		}
		ms = append(ms, member{key: k, value: own[from:ends[i]]})
	}
	slices.SortFunc(ms, func(a, b member) int { return bytes.Compare(a.key, b.key) })
	return appendObject(dst, ms), true
}

// appendObject appends an object of ms, in their order.
func appendObject(dst []byte, ms []member) []byte {
	dst = append(dst, '{')
	for i, m := range ms {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = append(dst, m.key...)
		dst = append(dst, '"', ':')
		if m.object != nil {
			dst = appendObject(dst, m.object)
		} else {
			dst = append(dst, m.value...)
		}
	}
	return append(dst, '}')
}

// members appends obj's members to ms; ok is false when obj is not an
// object, or a key is escaped, not ASCII or repeated (encoding/json would
// decode or re-encode it, or keep only the last).
func members(ms []member, obj []byte) (_ []member, ok bool) {
	ok = true
	err := jsonscan.Members(obj, func(key []byte, esc bool, value []byte) bool {
		if esc || !ascii(key) {
			ok = false
			return false
		}
		ms = append(ms, member{key: key, value: value})
		return true
	})
	if err != nil || !ok {
		return ms, false
	}
	slices.SortFunc(ms, func(a, b member) int { return bytes.Compare(a.key, b.key) })
	for i := 1; i < len(ms); i++ {
		if bytes.Equal(ms[i-1].key, ms[i].key) {
			return ms, false
		}
	}
	return ms, true
}

// redactedConfig appends to ms the members of a configuration object as
// redactConfiguration writes them: in key order, every secret one's
// value "***". A value that is not an object gives nil (it is written as
// is); ok is false when a key is one members refuses.
func redactedConfig(ms []member, raw []byte) (_ []member, ok bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, true
	}
	if ms, ok = members(ms, raw); !ok {
		return nil, false
	}
	if ms == nil {
		ms = []member{} // {}: an object, empty
	}
	for i, m := range ms {
		if secretKey(m.key) {
			ms[i].value = redactedJSON
		}
	}
	return ms, true
}

// ascii reports whether b is printable ASCII.
func ascii(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// appendJSONString appends s as a JSON string, as json.Marshal writes it
// (<, > and & escaped, as renderInstanceMap sets the record's values).
func appendJSONString(dst []byte, s string) []byte {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			plain = false
			break
		}
	}
	if plain {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	b, _ := json.Marshal(s) // a string always encodes
	return append(dst, b...)
}

// appendJSONTime appends t in UTC as an RFC 3339 JSON string, as
// renderInstanceMap writes it (the format has nothing to escape).
func appendJSONTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.UTC().AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}

// secretKeys caches element.IsSecretKey of the configuration keys seen,
// up to maxSecretKeys of them: a page of instances asks about the same
// few keys a thousand times.
var secretKeys = struct {
	sync.RWMutex
	m map[string]bool
}{m: map[string]bool{}}

// maxSecretKeys bounds secretKeys, whose keys come from callers' bodies.
const maxSecretKeys = 4096

// secretKey is element.IsSecretKey of key, cached.
func secretKey(key []byte) bool {
	secretKeys.RLock()
	secret, ok := secretKeys.m[string(key)]
	secretKeys.RUnlock()
	if ok {
		return secret
	}
	k := string(key)
	secret = element.IsSecretKey(k)
	secretKeys.Lock()
	if len(secretKeys.m) < maxSecretKeys {
		secretKeys.m[k] = secret
	}
	secretKeys.Unlock()
	return secret
}
