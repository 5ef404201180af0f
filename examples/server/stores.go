package main

import (
	"fmt"
	"log/slog"

	"github.com/a12b7632/elementevents/boltstore"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendorauth"
	"github.com/a12b7632/elementevents/webhook"
)

// stores are where the program keeps what must outlive a request, a poll
// cycle or a delivery.
type stores struct {
	instances engine.InstanceStore
	events    engine.EventLog
	outbox    notify.Outbox
	state     poller.State
	tokens    vendorauth.TokenStore
	dedupe    webhook.Deduper
	claimer   engine.Claimer // nil in a single process
	durable   bool
	close     func() error
}

// openStores opens the stores the flags name: the bbolt file of -state
// (or memory when it is empty), then PostgreSQL for what -postgres shares
// between replicas.
func openStores(o options, logger *slog.Logger) (stores, error) {
	st := stores{close: func() error { return nil }}
	if o.statePath == "" {
		logger.Warn("state is kept in memory (-state \"\"): instances, events and undelivered notifications are lost on exit")
		st.instances, st.events = engine.NewMemoryInstanceStore(), engine.NewMemoryEventLog(engine.MemoryEventLogConfig{})
		st.outbox, st.state = notify.NewMemoryOutbox(), poller.NewMemoryState()
		st.tokens, st.dedupe = vendorauth.NewMemoryTokenStore(), webhook.NewMemoryDeduper(nil)
	} else {
		db, err := boltstore.Open(o.statePath, boltstore.Options{})
		if err != nil {
			return stores{}, fmt.Errorf("-state %s: %w", o.statePath, err)
		}
		logger.Info("state is kept in the embedded store", "state", db.Path())
		st.instances, st.events, st.outbox = db.Instances(), db.EventLog(), db.Outbox()
		st.state, st.tokens, st.dedupe = db.PollerState(), db.Tokens(), db.Deduper()
		st.durable, st.close = true, db.Close
	}
	if o.postgres != "" {
		if err := openPostgres(o, &st, logger); err != nil {
			_ = st.close()
			return stores{}, err
		}
	}
	return st, nil
}
