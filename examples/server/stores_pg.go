package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/a12b7632/elementevents/riverstore"
)

// openPostgres connects to -postgres, migrates it, and keeps there what
// the replicas share: the instances, the poll claims, the poll state, the
// OAuth 2 tokens and the event log (so GET /instances/{id}/events on any
// replica lists what every replica delivered). The outbox and the webhook
// dedupe stay in this replica's -state file (or memory): a notification
// is delivered by the replica that published it.
func openPostgres(o options, st *stores, logger *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pool, err := pgxpool.New(ctx, o.postgres)
	if err != nil {
		return fmt.Errorf("-postgres: %w", err) // pgx does not print the password
	}
	closeFile := st.close
	st.close = func() error {
		pool.Close()
		return closeFile()
	}
	if _, err := riverstore.Migrate(ctx, pool, riverstore.MigrateConfig{Logger: logger}); err != nil {
		return fmt.Errorf("-postgres: migrate: %w", err)
	}
	cfg := riverstore.StoreConfig{}
	if st.instances, err = riverstore.NewInstanceStore(pool, cfg); err != nil {
		return fmt.Errorf("-postgres: %w", err)
	}
	if st.claimer, err = riverstore.NewClaimer(pool, cfg); err != nil {
		return fmt.Errorf("-postgres: %w", err)
	}
	if st.state, err = riverstore.NewState(pool, cfg); err != nil {
		return fmt.Errorf("-postgres: %w", err)
	}
	if st.tokens, err = riverstore.NewTokenStore(pool, cfg); err != nil {
		return fmt.Errorf("-postgres: %w", err)
	}
	if st.events, err = riverstore.NewEventLog(pool, cfg); err != nil {
		return fmt.Errorf("-postgres: %w", err)
	}
	logger.Info("instances, poll claims, poll state, tokens and the event log are kept in PostgreSQL and shared by the replicas")
	return nil
}
