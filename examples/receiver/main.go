// Command receiver is a consumer of elementevents notifications, the
// service at an instance's event.notification.callback.url: it verifies
// each notification with receiver.Receiver (signature, timestamp, duplicate)
// and prints one line per event.
//
//	go run ./examples/receiver -listen 127.0.0.1:8080 -path /element-events -key "$SIGNING_KEY"
//
// Run it with -h for every flag. It stops cleanly on SIGINT or SIGTERM,
// letting the requests under way finish.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// shutdownTimeout bounds how long a stop waits for requests under way.
const shutdownTimeout = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the program: it returns the exit status, 0 after a clean stop
// when ctx ends, 2 for bad flags and 1 when it cannot serve.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "receiver:", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	h, err := newHandler(cfg, stdout, logger)
	if err != nil {
		fmt.Fprintln(stderr, "receiver:", err)
		return 2
	}

	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		fmt.Fprintln(stderr, "receiver:", err)
		return 1
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("receiver: listening", "url", "http://"+ln.Addr().String()+cfg.path, "keys", len(cfg.keys))

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served: // it stopped by itself: it could not serve
		fmt.Fprintln(stderr, "receiver:", err)
		return 1
	case <-ctx.Done():
	}

	logger.Info("receiver: stopping")
	wait, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(wait); err != nil {
		fmt.Fprintln(stderr, "receiver: stop:", err)
		return 1
	}
	<-served // http.ErrServerClosed
	return 0
}
