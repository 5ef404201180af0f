//go:build race

package riverstore_test

// raceEnabled reports a test binary built with -race, under which the
// replicas' polls run several times slower.
const raceEnabled = true
