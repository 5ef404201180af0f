package element

import (
	"bytes"
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/a12b7632/elementevents/internal/vocab"
)

// Warning is something in an instance body that parses and breaks no rule
// but probably does not do what its author meant: events configured but
// not enabled, a value still holding the documentation's placeholder, a
// setting that is ignored, a misspelt event key. Warnings never make
// [Parse] fail; they are in [Instance.Warnings].
type Warning struct {
	// Path is the configuration key or JSON path the warning is about.
	Path string
	// Message says what happens and why.
	Message string
}

// String returns "path: message".
func (w Warning) String() string { return w.Path + ": " + w.Message }

// eventKeys are the event.* keys that configure events, in the order a
// warning lists them.
var eventKeys = []string{
	vocab.KeyVendorType, vocab.KeyCallbackURL, vocab.KeySignatureKey, vocab.KeyRefreshInterval,
	vocab.KeyObjects, vocab.KeyPollerConfiguration, vocab.KeyPollerURLs,
}

// warnings returns the warnings about a parsed instance, sorted by path.
func (inst *Instance) warnings() []Warning {
	c := inst.Configuration
	var ws []Warning
	warn := func(path, format string, args ...any) {
		ws = append(ws, Warning{Path: path, Message: fmt.Sprintf(format, args...)})
	}

	if !c.isSet(vocab.KeyEventsEnabled) {
		var set []string
		for _, k := range eventKeys {
			if c.isSet(k) {
				set = append(set, k)
			}
		}
		if len(set) > 0 {
			verb := "is"
			if len(set) > 1 {
				verb = "are"
			}
			warn(vocab.KeyEventsEnabled, "events are off: %s is not set (%s %s)", vocab.KeyEventsEnabled, listWords(set), verb)
		}
	}

	e := c.Events
	if e.VendorType == vendorWebhook {
		for _, k := range []string{vocab.KeyPollerConfiguration, vocab.KeyPollerURLs, vocab.KeyObjects} {
			if c.isSet(k) {
				warn(k, "ignored: %s is webhook, and only polling instances poll", vocab.KeyVendorType)
			}
		}
	} else if c.isSet(vocab.KeyPollerConfiguration) && len(e.Resources) > 0 {
		for _, k := range []string{vocab.KeyPollerURLs, vocab.KeyObjects} {
			if c.isSet(k) {
				warn(k, "ignored: %s names the resources to poll", vocab.KeyPollerConfiguration)
			}
		}
	}

	// Map order does not matter: the warnings are sorted below, and those
	// of one key are added in a fixed order.
	for k, raw := range c.values {
		// A string with a "<", maybe escaped (json.Marshal writes \u003c).
		if len(raw) > 2 && raw[0] == '"' && bytes.ContainsAny(raw, `<\`) {
			if v, ok := c.Get(k); ok && placeholderValue.MatchString(strings.TrimSpace(v)) {
				warn(k, "still holds a placeholder from the documentation; put the real value in")
			}
		}
		if len(k) > 6 && strings.EqualFold(k[:6], "event.") && !slices.Contains(knownKeys, k) {
			if near := nearestKey(k); near != "" {
				warn(k, "not read: did you mean %s?", near)
			}
		}
	}

	slices.SortStableFunc(ws, func(a, b Warning) int { return cmp.Compare(a.Path, b.Path) })
	return ws
}

// isSet reports whether key is present with a value other than null or a
// blank string.
func (c Configuration) isSet(key string) bool {
	raw, ok := present(c.values, key)
	return ok && !isEmptyString(raw)
}

// placeholderValue matches the placeholders of the documentation's
// examples: <WEB_STORE_URL>, <CONSUMER_KEY>, <OPTIONAL_SIGNATURE_KEY>.
var placeholderValue = regexp.MustCompile(`^<[A-Za-z][A-Za-z0-9_ .-]*>$`)

// knownKeys are the configuration keys this package reads.
var knownKeys = append([]string{vocab.KeyEventsEnabled}, eventKeys...)

// nearestKey returns the known key that key is probably a misspelling of:
// the same but for case and separators, or at most two edits away from
// it. It returns "" when none is.
func nearestKey(key string) string {
	k := squash(key)
	best, bestDist := "", 3
	for _, known := range knownKeys {
		if d := editDistance(k, squash(known), bestDist); d < bestDist {
			best, bestDist = known, d
		}
	}
	return best
}

// squash lowercases s and drops the separators ". _ -".
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '.', '_', '-':
			return -1
		}
		return r
	}, strings.ToLower(s))
}

// editDistance returns the Levenshtein distance between a and b in bytes,
// or limit if it is limit or more.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}

// listWords joins words as "a", "a and b", "a, b and c".
func listWords(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
