package webhook

// DefaultMaxBodyBytes is Config.MaxBodyBytes's default.
const DefaultMaxBodyBytes = defaultMaxBodyBytes

// DeduperLen returns the number of keys a memory deduper holds, expired
// ones not yet swept included.
func DeduperLen(d Deduper) int { return d.(*memoryDeduper).len() }

// DedupeKey is the key the Handler gives a Deduper for one delivery or event.
var DedupeKey = dedupeKey
