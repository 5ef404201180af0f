package main

import (
	"context"
	"sync"

	"github.com/a12b7632/elementevents/notify"
)

// shutdown stops the program in the order that loses nothing, within
// -shutdown-timeout: the server first, so that the webhooks being handled
// get their events into the outbox; then the pollers; then the notifier,
// which finishes the deliveries in flight; then the stores are saved and
// closed. It reports whether everything stopped in time and without error.
func (a *app) shutdown(stopPolling context.CancelFunc, polling *sync.WaitGroup,
	stopNotifier context.CancelFunc, notifierDone <-chan struct{}, closeStores func() error) bool {
	ctx, cancel := context.WithTimeout(context.Background(), a.opts.shutdownTimeout)
	defer cancel()
	clean := true

	if err := a.server.Shutdown(ctx); err != nil {
		a.log.Warn("shutdown: webhook requests still running at the timeout; closing them", "err", err)
		_ = a.server.Close()
		clean = false
	} else {
		a.log.Info("shutdown: stopped accepting webhooks")
	}

	stopPolling()
	if waitUntil(ctx, polling.Wait) {
		a.log.Info("shutdown: stopped polling")
	} else {
		a.log.Warn("shutdown: pollers still running at the timeout")
		clean = false
	}

	stopNotifier()
	select {
	case <-notifierDone:
		a.log.Info("shutdown: deliveries in flight finished")
	case <-ctx.Done():
		a.log.Warn("shutdown: deliveries still in flight at the timeout; they stay pending in the outbox")
		clean = false
	}

	a.reportOutbox()
	if err := closeStores(); err != nil {
		a.log.Error("shutdown: cannot save the state", "err", err)
		clean = false
	} else if a.st.Durable {
		a.log.Info("shutdown: state saved")
	} else {
		a.log.Info("shutdown: state was in memory; nothing saved")
	}
	a.log.Info("shutdown complete", "clean", clean, "stats", a.notifier.Stats())
	return clean
}

// reportOutbox logs the notifications left in the outbox.
func (a *app) reportOutbox() {
	ctx := context.Background()
	pending, err := a.st.Outbox.List(ctx, notify.Filter{State: notify.Pending})
	if err != nil {
		a.log.Error("shutdown: cannot list the outbox", "err", err)
		return
	}
	dead, err := a.st.Outbox.List(ctx, notify.Filter{State: notify.Dead})
	if err != nil {
		a.log.Error("shutdown: cannot list the outbox", "err", err)
		return
	}
	switch {
	case len(pending)+len(dead) == 0:
	case a.st.Durable:
		a.log.Info("shutdown: notifications kept for the next run", "pending", len(pending), "dead", len(dead))
	default:
		a.log.Warn("shutdown: notifications lost, since state is in memory", "pending", len(pending), "dead", len(dead))
	}
}

// waitUntil runs wait and reports whether it returned before ctx ended.
func waitUntil(ctx context.Context, wait func()) bool {
	done := make(chan struct{})
	go func() {
		wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}
