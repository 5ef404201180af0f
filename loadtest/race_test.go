//go:build race

package loadtest_test

// raceDetector reports a build with -race, under which TestIngest sends
// fewer webhooks by default: the detector slows every request tenfold and
// its figures say nothing about the library's speed.
const raceDetector = true
