package statetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/poller"
)

var keyCases = []testCase{
	{Name: "SameResourceOfTwoInstances", Test: func(t *testing.T, s poller.State) {
		requireIsolated(t, s,
			[]poller.StateKey{{Instance: "inst-1", Resource: "contacts"}, {Instance: "inst-2", Resource: "contacts"}},
			poller.StateKey{Instance: "inst-3", Resource: "contacts"})
	}},
	{Name: "TwoResourcesOfOneInstance", Test: func(t *testing.T, s poller.State) {
		requireIsolated(t, s,
			[]poller.StateKey{{Instance: "inst-1", Resource: "contacts"}, {Instance: "inst-1", Resource: "accounts"}},
			poller.StateKey{Instance: "inst-1", Resource: "leads"})
	}},
	// Keys a store joining Instance and Resource into one string could
	// confuse.
	{Name: "KeysThatJoinAlikeAreDistinct", Test: func(t *testing.T, s poller.State) {
		requireIsolated(t, s, []poller.StateKey{
			{Instance: "a:b", Resource: "c"}, {Instance: "a", Resource: "b:c"},
			{Instance: "a/b", Resource: "c"}, {Instance: "a", Resource: "b/c"},
			{Instance: "a.b", Resource: "c"}, {Instance: "a", Resource: "b.c"},
			{Instance: "a|b", Resource: "c"}, {Instance: "a", Resource: "b|c"},
			{Instance: "a\tb", Resource: "c"}, {Instance: "a", Resource: "b\tc"},
			{Instance: "ab", Resource: "c"}, {Instance: "a", Resource: "bc"},
			{Instance: "abc", Resource: ""}, {Instance: "", Resource: "abc"},
			{Instance: "", Resource: ""},
		}, poller.StateKey{Instance: "a", Resource: "c"})
	}},
	// Keys a store comparing names loosely (ignoring case, trailing
	// spaces or Unicode normalization) could confuse.
	{Name: "NamesAreComparedExactly", Test: func(t *testing.T, s poller.State) {
		requireIsolated(t, s, []poller.StateKey{
			{Instance: "inst", Resource: "contacts"},
			{Instance: "Inst", Resource: "contacts"},
			{Instance: "inst", Resource: "Contacts"},
			{Instance: "inst ", Resource: "contacts"},
			{Instance: "inst", Resource: "contacts "},
			{Instance: " inst", Resource: "contacts"},
			{Instance: "café", Resource: "contacts"},
			{Instance: "cafe\u0301", Resource: "contacts"},
		}, poller.StateKey{Instance: "INST", Resource: "CONTACTS"})
	}},
}

// requireIsolated commits a different state to each key, then changes
// the first key alone, checking every key after each round, and that
// untouched stays unknown.
func requireIsolated(t *testing.T, s poller.State, keys []poller.StateKey, untouched poller.StateKey) {
	t.Helper()
	want := make([]*poller.ResourceState, len(keys))
	for i, key := range keys {
		want[i] = empty()
		c := poller.Change{
			Watermark: at(time.Duration(i) * time.Second),
			Cycles:    int64(i + 1),
			Upsert:    upserts(10*i, "42", "gWq$x", fmt.Sprintf("only-%d", i)),
			Missing:   map[string]int{"42": i + 1},
		}
		c.Apply(want[i])
		commit(t, s, key, c)
	}
	check := func() {
		t.Helper()
		for i, key := range keys {
			got := load(t, s, key)
			if d := diffState(want[i], got); d != "" {
				t.Fatalf("state of %+v differs:\n%s", key, d)
			}
		}
		RequireState(t, empty(), load(t, s, untouched))
	}
	check()

	c := poller.Change{
		Watermark: at(time.Hour),
		Cycles:    100,
		Upsert:    upserts(1000, "gWq$x", "7"),
		Delete:    []string{"42", "only-0"},
		Missing:   map[string]int{},
	}
	c.Apply(want[0])
	commit(t, s, keys[0], c)
	check()
}
