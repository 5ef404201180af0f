package main

import (
	"bufio"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes the machine a run happened on.
type Machine struct {
	// CPUModel is /proc/cpuinfo's "model name", "" when unknown.
	CPUModel string
	// Cores is the number of logical CPUs.
	Cores int
	// Memory is /proc/meminfo's MemTotal, e.g. "24.0 GiB", "" when
	// unknown.
	Memory string
	// OS, Arch and GoVersion are the Go toolchain's.
	OS, Arch, GoVersion string
}

// readMachine describes this machine.
func readMachine() Machine {
	m := Machine{Cores: runtime.NumCPU(), OS: runtime.GOOS, Arch: runtime.GOARCH, GoVersion: runtime.Version()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		m.CPUModel = cpuModel(f)
		_ = f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		m.Memory = memTotal(f)
		_ = f.Close()
	}
	return m
}

// cpuModel returns the first "model name" of a /proc/cpuinfo.
func cpuModel(r io.Reader) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(key) == "model name" {
			return strings.TrimSpace(val)
		}
	}
	return ""
}

// memTotal returns MemTotal of a /proc/meminfo, in GiB.
func memTotal(r io.Reader) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				return ""
			}
			return strconv.FormatFloat(kb/(1<<20), 'f', 1, 64) + " GiB"
		}
	}
	return ""
}

// loadAverage returns the 1-minute load average of /proc/loadavg, "" when
// unknown.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return ""
}
