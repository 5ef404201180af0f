package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/a12b7632/elementevents/boltstore"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendorauth"
	"github.com/a12b7632/elementevents/webhook"
)

// stateFlagHelp is the -h text of -state. It lives here, next to
// openStores, so that both change together.
const stateFlagHelp = "`DIR` of the embedded durable store (outbox, poll state, webhook dedupe, OAuth 2 tokens),\n" +
	"kept in DIR/" + stateFile + " (created if missing). Without it, state is kept in memory:\n" +
	"notifications not delivered at exit are lost and polling takes a new baseline after a restart"

// stateFile is the store's file name inside the -state directory.
const stateFile = "elementevents.db"

// stores are where the program keeps what must outlive a delivery or a poll
// cycle.
type stores struct {
	Outbox      notify.Outbox
	PollerState poller.State
	Deduper     webhook.Deduper
	// Tokens keeps the instances' OAuth 2 tokens: a refresh token the
	// vendor rotated must outlive the process.
	Tokens vendorauth.TokenStore
	// Durable reports whether the stores survive a restart.
	Durable bool
}

// openStores opens the stores in dir and returns them with the function
// that saves and closes them, called once at the end of a shutdown. An
// empty dir keeps state in memory.
func openStores(dir string, logger *slog.Logger) (stores, func() error, error) {
	if dir == "" {
		logger.Info("state is kept in memory (no -state): it is lost on exit")
		st := stores{
			Outbox:      notify.NewMemoryOutbox(),
			PollerState: poller.NewMemoryState(),
			Deduper:     webhook.NewMemoryDeduper(nil),
			Tokens:      vendorauth.NewMemoryTokenStore(),
		}
		return st, func() error { return nil }, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return stores{}, nil, fmt.Errorf("-state %s: %w", dir, err)
	}
	path := filepath.Join(dir, stateFile)
	db, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		return stores{}, nil, fmt.Errorf("-state %s: %w", dir, err)
	}
	logger.Info("state is kept in the durable store", "state", path)
	st := stores{Outbox: db.Outbox(), PollerState: db.PollerState(), Deduper: db.Deduper(), Tokens: db.Tokens(), Durable: true}
	return st, db.Close, nil
}
