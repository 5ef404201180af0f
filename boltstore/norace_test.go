//go:build !race

package boltstore_test

// raceEnabled reports a test binary built with -race, under which bbolt's
// page handling runs about ten times slower.
const raceEnabled = false
