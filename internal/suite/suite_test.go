package suite_test

import (
	"sync"
	"testing"

	"github.com/a12b7632/elementevents/internal/suite"
)

// TestRunGivesEachCaseItsOwnImpl checks that every case runs, on an
// implementation of its own.
func TestRunGivesEachCaseItsOwnImpl(t *testing.T) {
	var mu sync.Mutex
	made, ran := 0, map[string]int{}
	check := func(name string) suite.Case[*int] {
		return suite.Case[*int]{Name: name, Test: func(t *testing.T, n *int) {
			mu.Lock()
			defer mu.Unlock()
			*n++
			if *n != 1 {
				t.Errorf("%s: the implementation was shared", name)
			}
			ran[name]++
		}}
	}
	t.Run("suite", func(t *testing.T) {
		suite.Run(t, []suite.Group[*int]{
			{Name: "A", Cases: []suite.Case[*int]{check("a1"), check("a2")}},
			{Name: "B", Cases: []suite.Case[*int]{check("b1")}},
		}, func(*testing.T) *int {
			mu.Lock()
			defer mu.Unlock()
			made++
			return new(int)
		})
	})
	if made != 3 || len(ran) != 3 {
		t.Fatalf("made %d implementations and ran %v, want 3 and each case once", made, ran)
	}
}
