package events

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// Type is what happened to an object.
type Type string

// The event types, as they appear on the wire.
const (
	Created Type = "CREATED"
	Updated Type = "UPDATED"
	Deleted Type = "DELETED"
	Unknown Type = "UNKNOWN"
)

// Event is one change to one vendor object, from a poll or a webhook.
type Event struct {
	// ID identifies the event. [NewID] derives it from the instance, object
	// type, object id, type and date, so an event emitted twice has one ID
	// and can be deduplicated downstream.
	ID string

	// Type is what happened.
	Type Type

	// ObjectType is the resource the object belongs to ("customers").
	ObjectType string

	// ObjectID is the object's id as a string.
	ObjectID string

	// ElementKey is the element the instance connects to
	// ("woocommercerest").
	ElementKey string

	// HubKey is the element's hub ("ecommerce").
	HubKey string

	// Date is when the change happened, as the vendor says: the record's
	// updated (or created) date for polls, the webhook's date otherwise.
	Date time.Time

	// PollDate is when the poll that saw the change started; zero for
	// webhook events.
	PollDate time.Time

	// Raw is the vendor's record or webhook payload for this object, if
	// any.
	Raw json.RawMessage
}

// NewID returns the deterministic id of an event: the same inputs always
// give the same id, and different inputs different ids (it is a SHA-256
// over length-prefixed fields, written as a UUID-shaped string, version 8).
func NewID(instanceID, objectType, objectID string, t Type, date time.Time) string {
	// One hash of the fields laid out in a stack buffer: the usual fields
	// fit, and a longer layout only moves to the heap.
	var buf [256]byte
	b := buf[:0]
	for _, f := range [...]string{instanceID, objectType, objectID, string(t)} {
		b = strconv.AppendInt(b, int64(len(f)), 10)
		b = append(b, ':')
		b = append(b, f...)
	}
	b = strconv.AppendInt(b, date.UnixNano(), 10)
	sum := sha256.Sum256(b)
	return uuidFromHash(sum[:])
}

// uuidFromHash shapes the first 16 bytes of a hash as an RFC 9562
// version 8 UUID.
func uuidFromHash(sum []byte) string {
	var u [16]byte
	copy(u[:], sum)
	u[6] = u[6]&0x0f | 0x80 // version 8
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	var out [36]byte
	hex.Encode(out[0:8], u[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], u[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], u[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], u[8:10])
	out[23] = '-'
	hex.Encode(out[24:], u[10:])
	return string(out[:])
}
