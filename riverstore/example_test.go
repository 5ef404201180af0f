package riverstore_test

import (
	"context"
	"log"
	"os"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/riverstore"
)

// Every replica runs the same code: migrate (once, whoever comes first),
// then start. The leader enqueues one poll job per resource and interval;
// all of them poll and deliver.
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if _, err := riverstore.Migrate(ctx, pool, riverstore.MigrateConfig{}); err != nil {
		log.Fatal(err)
	}
	body, _ := os.ReadFile("instance.json")
	inst, err := element.Parse(body)
	if err != nil {
		log.Fatal(err)
	}
	rep, err := riverstore.New(riverstore.Config{Pool: pool, Instances: []*element.Instance{inst}})
	if err != nil {
		log.Fatal(err)
	}
	if err := rep.Start(ctx); err != nil {
		log.Fatal(err)
	}
	defer func() { _ = rep.Stop(context.WithoutCancel(ctx)) }()
	<-ctx.Done()
}

// Events published inside the caller's transaction are delivered only if
// it commits: the transactional outbox.
func ExampleReplica_PublishTx() {
	ctx := context.Background()
	pool, _ := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	rep, _ := riverstore.New(riverstore.Config{Pool: pool}) // publishing only: not started
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE orders SET status = 'paid' WHERE id = 42"); err != nil {
			return err
		}
		return rep.PublishTx(ctx, tx, events.Batch{
			Instance: events.Instance{ID: "123", ElementKey: "woocommercerest"},
			Endpoint: events.Endpoint{URL: "https://app.example.com/events", Key: []byte("key")},
			Source:   events.FromWebhook,
			Events:   []events.Event{{Type: events.Updated, ObjectType: "orders", ObjectID: "42"}},
		})
	})
	if err != nil {
		log.Print(err)
	}
}
