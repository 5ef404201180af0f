package boltstore

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/a12b7632/elementevents/engine"
)

// The event log's regions of the eventlog bucket (see the package
// documentation for the layout).
const (
	elEvent    = 'e' // id -> the notification
	elInstance = 'i' // tenant instance created id -> index value
	elTenant   = 't' // tenant created id -> index value
	elCreated  = 'c' // created id -> nothing: Prune's order
)

// loggedFormat is the first byte of an encoded logged notification.
const loggedFormat = 1

// encodeLogged writes e but its ID, which is its key. Tenant, Instance
// and Created come first, so that Prune and a cursor read no further.
func encodeLogged(e engine.LoggedEvent) []byte {
	size := 64 + len(e.Tenant) + len(e.Instance) + len(e.ObjectType) + len(e.Reason) + len(e.Body)
	for _, t := range e.EventTypes {
		size += 1 + len(t)
	}
	size += attemptsSize(e.Attempts)
	w := enc{b: make([]byte, 0, size)}
	w.byte1(loggedFormat)
	w.str(e.Tenant)
	w.str(e.Instance)
	w.time(e.Created)
	w.str(string(e.Status))
	w.str(e.ObjectType)
	w.uvarint(uint64(len(e.EventTypes)))
	for _, t := range e.EventTypes {
		w.str(t)
	}
	w.varint(int64(e.Events))
	w.time(e.Updated)
	w.str(e.Reason)
	w.attempts(e.Attempts)
	w.bytes(e.Body)
	return w.b
}

// decodeLoggedHead reads the tenant, instance and creation time of an
// encoded notification.
func decodeLoggedHead(b []byte) (tenant, instance string, created time.Time, err error) {
	d := dec{b: b}
	if f := d.byte1(); d.err == nil && f != loggedFormat {
		return "", "", time.Time{}, fmt.Errorf("logged event format %d, want %d", f, loggedFormat)
	}
	tenant = d.str()
	instance = d.str()
	created = d.time()
	return tenant, instance, created, d.err
}

// decodeLogged reads what encodeLogged wrote, for the id it is stored
// under. Everything it returns is copied out of bbolt's memory.
func decodeLogged(id string, b []byte) (engine.LoggedEvent, error) {
	d := dec{b: b}
	if f := d.byte1(); d.err == nil && f != loggedFormat {
		return engine.LoggedEvent{}, fmt.Errorf("logged event format %d, want %d", f, loggedFormat)
	}
	e := engine.LoggedEvent{ID: id}
	e.Tenant = d.str()
	e.Instance = d.str()
	e.Created = d.time()
	e.Status = engine.EventStatus(d.str())
	e.ObjectType = d.str()
	e.EventTypes = d.strs()
	e.Events = int(d.varint())
	e.Updated = d.time()
	e.Reason = d.str()
	e.Attempts = d.attempts()
	e.Body = d.bytes()
	if err := d.end(); err != nil {
		return engine.LoggedEvent{}, err
	}
	return e, nil
}

// strs reads a count and as many strings; nil when the count is zero.
func (d *dec) strs() []string {
	n := d.int()
	if n > len(d.b) { // each string takes a byte at least
		d.fail()
		return nil
	}
	if n == 0 || d.err != nil {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

// encodeLoggedIndex writes an index entry's value: what List filters on
// besides the tenant, instance and time its key holds, so that a page
// reads a notification only once it is selected.
func encodeLoggedIndex(e engine.LoggedEvent) []byte {
	w := enc{b: make([]byte, 0, 16+len(e.ObjectType)+8*len(e.EventTypes))}
	w.str(string(e.Status))
	w.str(e.ObjectType)
	w.uvarint(uint64(len(e.EventTypes)))
	for _, t := range e.EventTypes {
		w.str(t)
	}
	return w.b
}

// matchLoggedIndex reports whether the index value v passes f's status,
// object type and event type filters, reading it in place: List runs it
// on every entry it walks past, so it allocates nothing.
func matchLoggedIndex(v []byte, f engine.EventFilter) (bool, error) {
	d := dec{b: v}
	status, objectType := d.raw(), d.raw()
	n := d.int()
	match := len(f.Statuses) == 0
	for _, s := range f.Statuses {
		match = match || string(status) == string(s)
	}
	match = match && (f.ObjectType == "" || string(objectType) == f.ObjectType)
	found := f.EventType == ""
	for range n {
		t := d.raw()
		found = found || string(t) == f.EventType
	}
	if err := d.end(); err != nil {
		return false, err
	}
	return match && found, nil
}

// decodeLoggedIndex reads an index value into e's Status, ObjectType and
// EventTypes.
func decodeLoggedIndex(b []byte, e *engine.LoggedEvent) error {
	d := dec{b: b}
	e.Status = engine.EventStatus(d.str())
	e.ObjectType = d.str()
	e.EventTypes = d.strs()
	return d.end()
}

// appendPart appends s with its length as a uvarint, so that parts of a
// key never run into each other.
func appendPart(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// appendTimeID appends created as a time key, then id.
func appendTimeID(b []byte, created time.Time, id string) []byte {
	var tk [timeKeyLen]byte
	putTimeKey(tk[:], created)
	return append(append(b, tk[:]...), id...)
}

// instancePrefix and tenantPrefix start the index keys of one instance
// of a tenant, and of a tenant.
func instancePrefix(tenant, instance string) []byte {
	return appendPart(appendPart([]byte{elInstance}, tenant), instance)
}

func tenantPrefix(tenant string) []byte {
	return appendPart([]byte{elTenant}, tenant)
}

// loggedKeys returns the keys of e's index entries and of its place in
// the creation order.
func loggedKeys(tenant, instance string, created time.Time, id string) (inst, ten, crt []byte) {
	inst = appendTimeID(instancePrefix(tenant, instance), created, id)
	ten = appendTimeID(tenantPrefix(tenant), created, id)
	crt = appendTimeID([]byte{elCreated}, created, id)
	return inst, ten, crt
}

// successor returns the first key after every key that starts with
// prefix, or nil when there is none (prefix is all 0xff).
func successor(prefix []byte) []byte {
	s := append([]byte(nil), prefix...)
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] != 0xff {
			s[i]++
			return s[:i+1]
		}
	}
	return nil
}
