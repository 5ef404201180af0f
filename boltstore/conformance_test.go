package boltstore_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/boltstore"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/notify/notifytest"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/poller/statetest"
)

// open opens a new store in a temporary directory on disk, closed at
// cleanup.
func open(t testing.TB, opts boltstore.Options) *boltstore.DB {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "store.db"), opts)
}

// openInMemory opens a new store on tmpfs (/dev/shm) where the machine
// has it, else on disk. The store runs exactly as on disk, fsync
// included, but fsync on tmpfs costs nothing: the conformance suites make
// some 15,000 commits, which at this machine's 1 to 7 ms a disk commit
// would take a minute. The crash tests and the benchmarks use the disk.
func openInMemory(t testing.TB, opts boltstore.Options) *boltstore.DB {
	t.Helper()
	dir, err := os.MkdirTemp("/dev/shm", "boltstore-test-")
	if err != nil {
		return open(t, opts)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return openAt(t, filepath.Join(dir, "store.db"), opts)
}

func openAt(t testing.TB, path string, opts boltstore.Options) *boltstore.DB {
	t.Helper()
	db, err := boltstore.Open(path, opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	return db
}

func TestOutboxConformance(t *testing.T) {
	t.Parallel()
	notifytest.Run(t, func(t *testing.T) notify.Outbox {
		skipVolumeUnderRace(t)
		return openInMemory(t, boltstore.Options{}).Outbox()
	})
}

func TestPollerStateConformance(t *testing.T) {
	t.Parallel()
	statetest.Run(t, func(t *testing.T) poller.State {
		skipVolumeUnderRace(t)
		return openInMemory(t, boltstore.Options{}).PollerState()
	})
}

// skipVolumeUnderRace skips the suites' volume cases (10,000 deliveries,
// 100,000 records) when the race detector is on. They call the store from
// one goroutine, so the detector has nothing to find in them, and it
// makes bbolt's page handling ten times slower: the outbox's volume case
// alone takes 30 s of CPU instead of 3. They run in every plain go test;
// the suites' concurrency cases run under the detector.
func skipVolumeUnderRace(t *testing.T) {
	if raceEnabled && strings.Contains(t.Name(), "Volume") {
		t.Skip("single-goroutine volume case: run without -race")
	}
}
