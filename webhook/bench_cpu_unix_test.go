//go:build unix

package webhook_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used, user and system. A
// benchmark that reports CPU per operation can be compared on a busy
// machine, where its wall time cannot.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
