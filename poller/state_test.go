package poller_test

import (
	"testing"

	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/poller/statetest"
)

func TestMemoryState(t *testing.T) {
	statetest.Run(t, func(*testing.T) poller.State { return poller.NewMemoryState() })
}
