package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/webhook"
)

// newServer returns the HTTP server: the vendor webhooks of the webhook
// instances at /events/{elementKey}/{instanceID}, and GET /healthz.
func newServer(o options, h *hooks, subs *subscriptions, sink events.Sink, st stores, logger *slog.Logger) (*http.Server, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	if len(h.order) > 0 {
		cfg := webhook.Config{
			Resolve:            h.resolve,
			Sink:               sink,
			Logger:             logger.With("component", "webhook"),
			Deduper:            st.Deduper,
			SignatureTolerance: o.signatureTolerance,
		}
		if subs != nil {
			cfg.Subscriber = subs.sub // it learns when webhooks arrive, for the gap fill
		}
		wh, err := webhook.New(cfg)
		if err != nil {
			return nil, fmt.Errorf("webhook handler: %w", err)
		}
		// No method in the pattern: the handler answers 405 itself, by the
		// methods each element's definition accepts.
		mux.Handle("/events/{elementKey}/{instanceID}", wh)
	}
	return &http.Server{
		Handler:           accessLog(mux, logger.With("component", "http")),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}, nil
}

// accessLog logs every request but health checks at info, with its status.
func accessLog(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		level := slog.LevelInfo
		if r.URL.Path == "/healthz" {
			level = slog.LevelDebug
		}
		// The path only: a query may carry a credential.
		log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path,
			"status", sw.status, "duration", time.Since(start), "remote", r.RemoteAddr)
	})
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
