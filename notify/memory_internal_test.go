package notify

import (
	"reflect"
	"testing"
	"time"
)

// TestMemoryRecordPointers keeps memoryOutbox's records down to one
// pointer, to their data, so that a backlog costs the garbage collector
// one pointer and one object per delivery (a time.Time field, which holds
// a *Location, or a string would add to that).
func TestMemoryRecordPointers(t *testing.T) {
	allowed := map[string]bool{"memRecord.data": true}
	var walk func(path string, typ reflect.Type)
	walk = func(path string, typ reflect.Type) {
		switch typ.Kind() {
		case reflect.Struct:
			for f := range typ.Fields() {
				walk(path+"."+f.Name, f.Type)
			}
		case reflect.Array:
			walk(path+"[]", typ.Elem())
		case reflect.Pointer, reflect.UnsafePointer, reflect.String, reflect.Slice,
			reflect.Map, reflect.Chan, reflect.Func, reflect.Interface:
			if allowed[path] {
				return
			}
			t.Errorf("%s is a %s, which holds a pointer", path, typ.Kind())
		}
	}
	walk("memRecord", reflect.TypeFor[memRecord]())
}

// TestStampRoundTrip checks that the outbox gives back the instants it was
// given, the zero time included, in UTC.
func TestStampRoundTrip(t *testing.T) {
	for _, in := range []time.Time{
		{},
		time.Date(2026, 11, 25, 12, 0, 0, 123456789, time.FixedZone("x", 3600)),
		time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
	} {
		got := toStamp(in).Time()
		if !got.Equal(in) || got.Location() != time.UTC {
			t.Errorf("%v came back as %v", in, got)
		}
		if in.IsZero() && got != (time.Time{}) {
			t.Errorf("the zero time came back as %#v", got)
		}
	}
	if !toStamp(time.Unix(5, 1)).after(toStamp(time.Unix(5, 0))) || toStamp(time.Unix(4, 9)).after(toStamp(time.Unix(5, 0))) {
		t.Error("after orders instants wrongly")
	}
}

// TestMemoryIndexCollisions gives IDs one hash, as maphash would only by
// rare chance, and checks that the index never confuses them: each is
// found, forgetting one keeps the others, a new one takes the free hash,
// and compaction renumbers both maps.
func TestMemoryIndexCollisions(t *testing.T) {
	const h = 42
	o := &memoryOutbox{byHash: map[uint64]slot{}}
	put := func(id string) slot {
		s := o.alloc(memRecord{data: []byte(id), idEnd: uint32(len(id)), orderEnd: uint32(len(id)),
			keyEnd: uint32(len(id)), used: true})
		o.index(h, id, s)
		return s
	}
	found := func(id string) (slot, bool) { return o.lookup(h, id) }
	slots := map[string]slot{}
	for _, id := range []string{"a", "b", "c"} {
		slots[id] = put(id)
	}
	for id, want := range slots {
		got, ok := found(id)
		if !ok || got != want {
			t.Fatalf("lookup(%q) = %d, %v; want %d", id, got, ok, want)
		}
	}
	if _, ok := found("d"); ok {
		t.Fatal("an ID never indexed was found")
	}

	o.unindex(h, "a", slots["a"]) // the one in byHash
	o.unindex(h, "c", slots["c"]) // one in collided
	if _, ok := found("a"); ok {
		t.Fatal("a was found after unindex")
	}
	if _, ok := found("c"); ok {
		t.Fatal("c was found after unindex")
	}
	if got, ok := found("b"); !ok || got != slots["b"] {
		t.Fatalf("b = %d, %v after the others left; want %d", got, ok, slots["b"])
	}
	slots["d"] = put("d")
	if got, ok := found("d"); !ok || got != slots["d"] {
		t.Fatalf("d = %d, %v; want %d", got, ok, slots["d"])
	}

	// Free every slot but b and d, then compact: both must still be found
	// at their new slots.
	o.records[slots["a"]], o.records[slots["c"]] = memRecord{}, memRecord{}
	o.live -= 2
	o.compact()
	for _, id := range []string{"b", "d"} {
		s, ok := found(id)
		if !ok || string(o.records[s].id()) != id {
			t.Fatalf("after compaction %q is at %d (%v), which holds %q", id, s, ok, o.records[s].id())
		}
	}
}
