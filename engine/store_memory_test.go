package engine_test

import (
	"testing"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/engine/instancetest"
)

func TestMemoryInstanceStore(t *testing.T) {
	t.Parallel()
	instancetest.Run(t, func(*testing.T) engine.InstanceStore { return engine.NewMemoryInstanceStore() })
}
