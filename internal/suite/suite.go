// Package suite runs a conformance suite: groups of named cases, each
// checked in parallel on a fresh implementation of the interface under
// test. notifytest and statetest are such suites.
//
//	suite.Run(t, []suite.Group[notify.Outbox]{{"Enqueue", enqueueCases}}, newOutbox)
package suite

import "testing"

// Case is one behaviour of a contract, checked on a fresh T.
type Case[T any] struct {
	Name string
	Test func(t *testing.T, impl T)
}

// Group is one part of a contract.
type Group[T any] struct {
	Name  string
	Cases []Case[T]
}

// Run runs every case of groups as a parallel subtest of a parallel
// subtest per group, each on a T that newImpl returns for that subtest.
func Run[T any](t *testing.T, groups []Group[T], newImpl func(t *testing.T) T) {
	t.Helper()
	for _, g := range groups {
		t.Run(g.Name, func(t *testing.T) {
			t.Parallel()
			for _, c := range g.Cases {
				t.Run(c.Name, func(t *testing.T) {
					t.Parallel()
					c.Test(t, newImpl(t))
				})
			}
		})
	}
}
