// Package statetest is the conformance suite for implementations of
// [poller.State]. Every store (the in-memory one, the embedded file
// store, PostgreSQL) runs the same suite, so they are interchangeable
// under the [poller.Poller].
//
// Run it from a test in the implementation's package, handing it a
// constructor that returns a new, empty state:
//
//	func TestState(t *testing.T) {
//		statetest.Run(t, func(t *testing.T) poller.State {
//			return mystore.Open(t.TempDir())
//		})
//	}
//
// The suite passes fixed times to the state and never reads a clock.
//
// Load after Commit must give exactly what [poller.Change.Apply] makes of
// the state before: the Watermark to the nanosecond (its location and
// monotonic reading may go; a zero one stays zero), record ids of any
// valid UTF-8, NUL included, compared byte for byte, and Updated and
// Hash over their whole range. A Load concurrent with Commits sees each
// of them whole or not at all.
//
// The suite cannot make a Commit fail, so it cannot check that a failed
// Commit applies nothing of its Change. Each implementation checks that
// itself, provoking the failures it can have (a write refused half way,
// a cancelled context, a closed connection) and comparing the state
// before and after with [RequireState]:
//
//	before, _ := s.Load(ctx, key)
//	// ... arrange for the next write to fail ...
//	require.Error(t, s.Commit(ctx, key, c))
//	after, _ := s.Load(ctx, key)
//	statetest.RequireState(t, before, after)
package statetest

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/suite"

	"github.com/a12b7632/elementevents/poller"
)

// Run runs the conformance suite against the states newState returns.
//
// Every subtest calls newState once and expects an empty state that
// shares nothing with any other it returned. Subtests run in parallel, so
// newState may be called concurrently; it can use t.Cleanup and
// t.TempDir to dispose of what it opens.
func Run(t *testing.T, newState func(t *testing.T) poller.State) {
	t.Helper()
	suite.Run(t, groups, newState)
}

// testCase is one behaviour of the contract, checked on a fresh state.
type testCase = suite.Case[poller.State]

// groups holds the suite, one group per part of the contract.
var groups = []suite.Group[poller.State]{
	{Name: "Load", Cases: loadCases},
	{Name: "Commit", Cases: commitCases},
	{Name: "Missing", Cases: missingCases},
	{Name: "Keys", Cases: keyCases},
	{Name: "Apply", Cases: applyCases},
	{Name: "Concurrency", Cases: concurrencyCases},
	{Name: "Volume", Cases: volumeCases},
	{Name: "Reset", Cases: resetCases},
}

// RequireState fails t unless got holds what want holds. It compares the
// Watermark as an instant (a store may give it back in another location
// and without a monotonic reading), treats a nil Missing like an empty
// one, and names the first few records that differ.
func RequireState(t testing.TB, want, got *poller.ResourceState) {
	t.Helper()
	if d := diffState(want, got); d != "" {
		require.FailNow(t, "state differs", "%s", d)
	}
}

// The suite's clock: fixed instants with nanoseconds, since a store must
// give back the very instant it was given.
var t0 = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// Keys most cases use.
var (
	keyA = poller.StateKey{Instance: "inst-1", Resource: "contacts"}
	keyB = poller.StateKey{Instance: "inst-1", Resource: "accounts"}
)

// ids are record ids of every shape the poller meets: vendors' numbers,
// which [poller.Records] keeps as numbers, and strings, including some
// that look like numbers but would not format back the same. The
// extractor decodes JSON escapes, so an id can hold any valid UTF-8,
// a NUL byte included.
var ids = []string{
	// Canonical decimal integers.
	"42", "0", "1", "18446744073709551615",
	// Almost numbers.
	"007", "042", "00", "18446744073709551616", "-1", "+1", "1e3", "4.2", " 42", "42 ", "0x2A",
	// Strings.
	"", "gWq$x", "Gwq$X", "a/b:c|d.e", "ид-7", "emoji-😀", "café", "cafe\u0301",
	"tab\tline\n", "nul\x00byte", "\ufffd", "'; DROP TABLE state; --", `%_*?\`,
	strings.Repeat("long-", 100),
}

// recordValues are records with the extremes of both fields, which a
// store encoding them as signed or floating-point numbers would lose.
var recordValues = []poller.Record{
	{},
	{Updated: 1, Hash: 1},
	{Updated: -1, Hash: 1 << 63},
	{Updated: math.MaxInt64, Hash: math.MaxUint64},
	{Updated: math.MinInt64, Hash: 1<<53 + 1},
	{Updated: t0.UnixNano(), Hash: 0x9E3779B97F4A7C15},
}

// rec returns a record distinct for each n, with a large hash.
func rec(n int) poller.Record {
	return poller.Record{
		Updated: at(time.Duration(n) * time.Second).UnixNano(),
		Hash:    uint64(n)*0x9E3779B97F4A7C15 + 1,
	}
}

// upserts returns the ids, each with rec(base+i).
func upserts(base int, ids ...string) map[string]poller.Record {
	m := make(map[string]poller.Record, len(ids))
	for i, id := range ids {
		m[id] = rec(base + i)
	}
	return m
}

func empty() *poller.ResourceState { return &poller.ResourceState{} }

func cloneState(st *poller.ResourceState) *poller.ResourceState {
	return &poller.ResourceState{
		Watermark: st.Watermark,
		Cycles:    st.Cycles,
		Records:   st.Records.Clone(),
		Missing:   maps.Clone(st.Missing),
	}
}

func load(t *testing.T, s poller.State, key poller.StateKey) *poller.ResourceState {
	t.Helper()
	st, err := s.Load(t.Context(), key)
	require.NoError(t, err, "Load %+v", key)
	require.NotNil(t, st, "Load %+v", key)
	return st
}

func commit(t *testing.T, s poller.State, key poller.StateKey, c poller.Change) {
	t.Helper()
	require.NoError(t, s.Commit(t.Context(), key, c), "Commit %+v", key)
}

// step applies c to want, the suite's model of key, commits c and checks
// that Load gives want.
func step(t *testing.T, s poller.State, key poller.StateKey, want *poller.ResourceState, c poller.Change) {
	t.Helper()
	c.Apply(want)
	commit(t, s, key, c)
	if d := diffState(want, load(t, s, key)); d != "" {
		require.FailNow(t, "Load after Commit differs from Change.Apply", "key %+v\n%s", key, d)
	}
}

// maxDiffs bounds the differences diffState lists, for volume cases.
const maxDiffs = 8

// diffState describes how got differs from want, or returns "".
func diffState(want, got *poller.ResourceState) string {
	if got == nil {
		return "got a nil *ResourceState"
	}
	var diffs []string
	if !want.Watermark.Equal(got.Watermark) {
		diffs = append(diffs, fmt.Sprintf("Watermark: want %v, got %v", want.Watermark, got.Watermark))
	}
	if want.Cycles != got.Cycles {
		diffs = append(diffs, fmt.Sprintf("Cycles: want %d, got %d", want.Cycles, got.Cycles))
	}
	diffs = append(diffs, diffRecords(&want.Records, &got.Records)...)
	diffs = append(diffs, diffMissing(want.Missing, got.Missing)...)
	if len(diffs) > maxDiffs {
		diffs = append(diffs[:maxDiffs], fmt.Sprintf("... and %d more", len(diffs)-maxDiffs))
	}
	return strings.Join(diffs, "\n")
}

func diffRecords(want, got *poller.Records) []string {
	var lines []string
	found := 0
	for id, w := range want.All() {
		r, ok := got.Get(id)
		switch {
		case !ok:
			lines = append(lines, fmt.Sprintf("Records[%q]: want %+v, got none", id, w))
			continue
		case r != w:
			lines = append(lines, fmt.Sprintf("Records[%q]: want %+v, got %+v", id, w, r))
		}
		found++
	}
	if got.Len() != found { // got has ids want lacks
		for id, r := range got.All() {
			if _, ok := want.Get(id); !ok {
				lines = append(lines, fmt.Sprintf("Records[%q]: want none, got %+v", id, r))
			}
		}
	}
	slices.Sort(lines)
	return lines
}

// diffMissing compares Missing counts, nil and empty alike.
func diffMissing(want, got map[string]int) []string {
	var lines []string
	for id, w := range want {
		if n, ok := got[id]; !ok || n != w {
			lines = append(lines, fmt.Sprintf("Missing[%q]: want %d, got %s", id, w, count(n, ok)))
		}
	}
	for id, n := range got {
		if _, ok := want[id]; !ok {
			lines = append(lines, fmt.Sprintf("Missing[%q]: want none, got %d", id, n))
		}
	}
	slices.Sort(lines)
	return lines
}

func count(n int, ok bool) string {
	if !ok {
		return "none"
	}
	return fmt.Sprint(n)
}
