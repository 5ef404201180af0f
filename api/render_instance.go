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

// renderScratch is appendInstanceFast's working memory, pooled: a page
// renders a hundred instances, and memory on the stack would escape.
type renderScratch struct {
	config []member
	order  [maxMembers]uint8
	own    [160]byte
}

// release puts sc back in scratchPool, holding no body.
func (sc *renderScratch) release() {
	clear(sc.config)
	sc.config = sc.config[:0]
	scratchPool.Put(sc)
}

// maxMembers is the most members of an object appendInstanceFast copies:
// its sort orders are bytes.
const maxMembers = 256

var scratchPool = sync.Pool{New: func() any { return &renderScratch{config: make([]member, 0, 32)} }}

// pages pools the buffers of pages of instances: a page of 100 is some
// 150 KB, written to the connection and dropped (a ResponseWriter keeps no
// slice it is given).
var pages = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// maxPooledPage bounds the buffers pages keeps: a page of 1,000 large
// bodies is not kept for the pages of 100 after it.
const maxPooledPage = 1 << 20

// getPage returns a buffer from pages.
func getPage() *[]byte { return pages.Get().(*[]byte) }

// putPage returns b to pages, unless it grew past maxPooledPage.
func putPage(b *[]byte) {
	if cap(*b) <= maxPooledPage {
		*b = (*b)[:0]
		pages.Put(b)
	}
}

// setKeys are the keys of the members a record sets, in key order.
var setKeys = [6][]byte{[]byte(fieldCreated), []byte(fieldDisabled), []byte(fieldID),
	[]byte(fieldToken), []byte(fieldUpdated), []byte(fieldVersion)}

// member is one member of an object being rendered: its key as written
// between quotes (no escapes), and its value as JSON.
type member struct {
	key, value []byte
}

// appendInstance appends renderInstance's JSON of rec to dst. A list of
// instances renders a hundred bodies of a kilobyte or more, so it copies
// the stored body's members as written (a stored body is compact JSON, as
// the engine encodes it) and builds no maps; a body it cannot copy so
// (not valid, an escaped, non-ASCII or repeated key, too many members)
// goes through renderInstanceMap, with the same result.
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
	var ord [maxMembers]uint8
	body, order, ok := sortedMembers(arr[:0], ord[:], rec.Body)
	if !ok {
		return dst, false
	}
	sc := scratchPool.Get().(*renderScratch)
	defer sc.release()
	// The members the record sets, in key order; they replace the body's.
	own := appendJSONTime(sc.own[:0], rec.Created)
	ends := [6]int{len(own)}
	own = strconv.AppendBool(own, !rec.Enabled)
	ends[1] = len(own)
	own = appendJSONString(own, rec.ID)
	ends[2] = len(own)
	if token != "" {
		own = appendJSONString(own, token)
	}
	ends[3] = len(own)
	own = appendJSONTime(own, rec.Updated)
	ends[4] = len(own)
	own = strconv.AppendInt(own, rec.Version, 10)
	ends[5] = len(own)
	var set [6]member
	for i, k := range setKeys {
		from := 0
		if i > 0 {
			from = ends[i-1]
		}
		set[i] = member{key: k, value: own[from:ends[i]]}
	}
	sets := set[:]
	if token == "" {
		sets = slices.Delete(sets, 3, 4) // the body's token is kept
	}

	start := len(dst)
	dst = append(dst, '{')
	n, j := 0, 0
	for _, i := range order {
		m := body[i]
		switch string(m.key) {
		case fieldID, fieldDisabled, fieldVersion, fieldCreated, fieldUpdated:
			continue
		case fieldToken:
			if token != "" {
				continue
			}
		}
		for ; j < len(sets) && bytes.Compare(sets[j].key, m.key) < 0; j++ {
			dst = appendMember(dst, n, sets[j])
			n++
		}
		if string(m.key) == "configuration" {
			dst = appendMember(dst, n, member{key: m.key})
			if dst, ok = appendConfig(dst, m.value, sc); !ok {
				return dst[:start], false
			}
		} else {
			dst = appendMember(dst, n, m)
		}
		n++
	}
	for ; j < len(sets); j++ {
		dst = appendMember(dst, n, sets[j])
		n++
	}
	return append(dst, '}'), true
}

// appendMember appends m, the n-th member of an object (a comma before
// all but the first).
func appendMember(dst []byte, n int, m member) []byte {
	if n > 0 {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, m.key...)
	dst = append(dst, '"', ':')
	return append(dst, m.value...)
}

// appendConfig appends a configuration value as redactConfiguration
// writes it: an object with its members in key order, every secret one's
// value "***"; any other value as is. ok is false when the object has a
// key sortedMembers refuses. It works in sc.
func appendConfig(dst, raw []byte, sc *renderScratch) (_ []byte, ok bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return append(dst, raw...), true
	}
	ms, order, ok := sortedMembers(sc.config[:0], sc.order[:], raw)
	sc.config = ms
	if !ok {
		return dst, false
	}
	dst = append(dst, '{')
	for n, i := range order {
		m := ms[i]
		if secretKey(m.key) {
			m.value = redactedJSON
		}
		dst = appendMember(dst, n, m)
	}
	return append(dst, '}'), true
}

// sortedMembers appends obj's members to ms, in the order written, and
// returns in order their indexes in key order (order has room for
// maxMembers). ok is false when obj is not an object, has more than
// maxMembers members, or a key that is escaped, not ASCII or repeated
// (encoding/json would decode or re-encode it, or keep only the last).
func sortedMembers(ms []member, order []uint8, obj []byte) (_ []member, _ []uint8, ok bool) {
	ok = true
	err := jsonscan.Members(obj, func(key []byte, esc bool, value []byte) bool {
		if esc || !ascii(key) || len(ms) == maxMembers {
			ok = false
			return false
		}
		ms = append(ms, member{key: key, value: value})
		return true
	})
	if err != nil || !ok {
		return ms, nil, false
	}
	order = order[:len(ms)]
	sorted := true
	for i := range ms {
		order[i] = uint8(i)
		if i > 0 && bytes.Compare(ms[i-1].key, ms[i].key) >= 0 {
			sorted = false
		}
	}
	if sorted { // as the engine stores a body: distinct keys in order
		return ms, order, true
	}
	slices.SortFunc(order, func(a, b uint8) int { return bytes.Compare(ms[a].key, ms[b].key) })
	for i := 1; i < len(order); i++ {
		if bytes.Equal(ms[order[i-1]].key, ms[order[i]].key) {
			return ms, nil, false
		}
	}
	return ms, order, true
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
