package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/receiver"
)

// newHandler returns the consumer's HTTP handler: a receiver.Receiver,
// mounted at cfg.path, that prints every verified notification to out,
// one line per event, and logs refused requests to logger.
func newHandler(cfg config, out io.Writer, logger *slog.Logger) (http.Handler, error) {
	p := &printer{out: out}
	rcv, err := receiver.New(receiver.Config{
		Keys:                cfg.keys,
		Tolerance:           cfg.tolerance,
		AllowElementsScheme: cfg.allowElements,
		Logger:              logger,
		Handle:              p.print,
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(cfg.path, rcv) // the Receiver answers 405 to anything but POST
	return mux, nil
}

// printer writes notifications, one line per event, one line at a time.
type printer struct {
	mu  sync.Mutex
	out io.Writer
}

// print is the Receiver's Handle: it runs once per verified notification.
// This is where your application would act on the events.
func (p *printer) print(_ context.Context, n events.Notification) error {
	m := n.Message
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range m.Events {
		_, err := fmt.Fprintf(p.out, "%s  %s %s  %s  %s %s  (notification %s)\n",
			e.Date.UTC().Format(time.RFC3339), m.InstanceName, m.InstanceID,
			e.EventType, e.ObjectType, e.ObjectID, m.EventID)
		if err != nil {
			// Answered 500: the Notifier will send it again.
			return fmt.Errorf("print notification %s: %w", m.EventID, err)
		}
	}
	return nil
}
