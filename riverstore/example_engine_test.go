package riverstore_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"os/signal"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/riverstore"
)

// Every replica runs package engine on the same database: the instances,
// the claims, the pollers' state and the OAuth 2 tokens are shared, so an
// instance created, patched or deleted through any replica applies on all,
// and each interval of each instance is polled by one of them.
func ExampleNewClaimer() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if _, err := riverstore.Migrate(ctx, pool, riverstore.MigrateConfig{}); err != nil {
		log.Fatal(err)
	}
	sc := riverstore.StoreConfig{}
	store, err := riverstore.NewInstanceStore(pool, sc)
	if err != nil {
		log.Fatal(err)
	}
	claims, err := riverstore.NewClaimer(pool, sc)
	if err != nil {
		log.Fatal(err)
	}
	state, err := riverstore.NewState(pool, sc)
	if err != nil {
		log.Fatal(err)
	}
	tokens, err := riverstore.NewTokenStore(pool, sc)
	if err != nil {
		log.Fatal(err)
	}
	eng, err := engine.New(engine.Config{Store: store, Claimer: claims, State: state, Tokens: tokens})
	if err != nil {
		log.Fatal(err)
	}
	go func() { log.Print(http.ListenAndServe(":8080", eng.Webhooks())) }()
	if err := eng.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
