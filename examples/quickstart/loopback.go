package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// server is one party of the quickstart (the store, your service, the
// consumer) listening on its own loopback port, as if each ran on its own
// machine.
type server struct {
	URL  string // http://127.0.0.1:PORT
	srv  *http.Server
	done chan error
}

// serve starts serving h on a free port of 127.0.0.1.
func serve(h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &server{
		URL:  "http://" + ln.Addr().String(),
		srv:  &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second},
		done: make(chan error, 1),
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// close stops the server, letting requests under way finish until ctx
// ends, then cutting the connections still open (a client that began a
// request and went quiet holds Shutdown until its header timeout), and
// waits for it to be gone.
func (s *server) close(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		err = s.srv.Close()
	}
	if serveErr := <-s.done; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

// syncWriter lets the story, the consumer and the logger print to one
// writer from their own goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
