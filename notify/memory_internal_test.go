package notify

import (
	"reflect"
	"testing"
	"time"
)

// TestMemoryRecordPointers keeps memoryOutbox's records down to their two
// allocations, names and data, so that a backlog costs the garbage
// collector two pointers per delivery (a time.Time field, which holds a
// *Location, or one more string would add to that).
func TestMemoryRecordPointers(t *testing.T) {
	allowed := map[string]bool{"memRecord.names": true, "memRecord.data": true}
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
