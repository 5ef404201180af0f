//go:build !race

package loadtest_test

// raceDetector reports a build with -race; see race_test.go.
const raceDetector = false
