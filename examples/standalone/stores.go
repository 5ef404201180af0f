package main

import (
	"log/slog"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/webhook"
)

// stateFlagHelp is the -h text of -state. It lives here, next to
// openStores, so that both change together.
const stateFlagHelp = "`PATH` of the embedded durable store (outbox, poll state, webhook dedupe).\n" +
	"NOT USED YET: until that store is built, state is kept in memory whatever PATH is,\n" +
	"so notifications not delivered at exit are lost and polling takes a new baseline after a restart"

// stores are where the program keeps what must outlive a delivery or a poll
// cycle.
type stores struct {
	Outbox      events.Outbox
	PollerState poller.State
	Deduper     webhook.Deduper
	// Durable reports whether the stores survive a restart.
	Durable bool
}

// openStores opens the stores at path and returns them with the function
// that saves and closes them, called once at the end of a shutdown.
//
// The durable store is not built yet, so state is kept in memory. With it,
// this becomes:
//
//	if path == "" { ...in memory, as below... }
//	db, err := boltstore.Open(path, boltstore.Options{})
//	if err != nil {
//		return stores{}, nil, fmt.Errorf("-state %s: %w", path, err)
//	}
//	logger.Info("state is kept in the durable store", "state", path)
//	return stores{Outbox: db.Outbox(), PollerState: db.PollerState(), Deduper: db.Deduper(), Durable: true}, db.Close, nil
//
// (and stateFlagHelp says so).
func openStores(path string, logger *slog.Logger) (stores, func() error, error) {
	if path != "" {
		logger.Warn("state is kept in memory: the durable store is not built yet, so -state is not used", "state", path)
	} else {
		logger.Info("state is kept in memory (no -state): it is lost on exit")
	}
	st := stores{
		Outbox:      events.NewMemoryOutbox(),
		PollerState: poller.NewMemoryState(),
		Deduper:     webhook.NewMemoryDeduper(nil),
	}
	return st, func() error { return nil }, nil
}
