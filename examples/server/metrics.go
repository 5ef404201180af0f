package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jonboulle/clockwork"
	promclient "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/otel"
)

// metrics serves the engine's OpenTelemetry metrics (package otel) as
// Prometheus text at /metrics, on a listener of its own: the metrics
// name every tenant's callback URLs, which the public listener must not
// show.
type metrics struct {
	ins      *otel.Instrumentation
	provider *sdkmetric.MeterProvider
	server   *http.Server
	ln       net.Listener
	reg      interface{ Unregister() error }
}

// newMetrics listens on addr and builds the instrumentation; nothing is
// served until serve.
func newMetrics(addr string, clock clockwork.Clock, logger *slog.Logger) (*metrics, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	registry := promclient.NewRegistry()
	exporter, err := prometheus.New(prometheus.WithRegisterer(registry))
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("metrics: %w", err)
	}
	m := &metrics{provider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter)), ln: ln}
	if m.ins, err = otel.New(otel.Config{MeterProvider: m.provider, Clock: clock}); err != nil {
		_ = ln.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}))
	m.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	return m, nil
}

// observe registers the gauges of e.
func (m *metrics) observe(e *engine.Engine) error {
	reg, err := m.ins.Observe(e.Notifier().Outbox(), e)
	m.reg = reg
	return err
}

// serve serves /metrics until shutdown; it returns nil after shutdown.
func (m *metrics) serve() error {
	if err := m.server.Serve(m.ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// shutdown stops serving and the meter provider.
func (m *metrics) shutdown(ctx context.Context) error {
	err := m.server.Shutdown(ctx)
	if m.reg != nil {
		err = errors.Join(err, m.reg.Unregister())
	}
	return errors.Join(err, m.provider.Shutdown(ctx))
}

// close releases the listener of metrics that never served.
func (m *metrics) close() { _ = m.ln.Close() }
