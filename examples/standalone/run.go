package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
)

// Exit statuses.
const (
	exitOK      = 0 // a clean shutdown
	exitFailure = 1 // a runtime failure, or a shutdown that timed out
	exitUsage   = 2 // bad flags or instance files; nothing was started
)

// run is the program: it parses args, loads the instance files, and runs
// until ctx ends (the signal), then shuts down. It returns the exit status.
// Logs go to stderr; -h writes the usage to stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, code, done := parseFlags(args, stdout, stderr)
	if done {
		return code
	}
	insts, disabled, err := loadInstances(opts)
	if err != nil {
		fmt.Fprintf(stderr, "standalone: %v\n", err)
		return exitUsage
	}
	logger := newLogger(opts.logFormat, opts.logLevel, stderr)
	st, closeStores, err := openStores(opts.statePath, logger)
	if err != nil {
		logger.Error("cannot open the state store", "err", err)
		return exitFailure
	}
	a, err := newApp(opts, insts, st, logger)
	if err != nil {
		_ = closeStores()
		var bad *inputError
		if errors.As(err, &bad) {
			fmt.Fprintf(stderr, "standalone: %v\n", err)
			return exitUsage
		}
		logger.Error("cannot start", "err", err)
		return exitFailure
	}
	ln, err := net.Listen("tcp", opts.listen)
	if err != nil {
		_ = closeStores()
		logger.Error("cannot listen", "addr", opts.listen, "err", err)
		return exitFailure
	}
	for _, file := range disabled {
		logger.Warn("instance not run: its events are disabled", "file", file)
	}
	for _, in := range insts {
		for _, w := range in.inst.Warnings {
			logger.Warn("instance warning", "file", in.file, "key", w.Path, "warning", w.Message)
		}
	}
	return a.serve(ctx, ln, closeStores)
}
