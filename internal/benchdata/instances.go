package benchdata

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/boltstore"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/vendortest"
)

// Instances is the number of instances of [InstancesFile], all of
// [Tenant].
const Instances = 10_000

// InstanceID is instance i's id, "inst-00042": ids sort as their numbers.
func InstanceID(i int) string { return fmt.Sprintf("inst-%05d", i) }

// InstanceBody is the /instances body of instance i: a WooCommerce
// polling instance of the customers resource, refreshed every minute,
// with its credentials and signature key.
func InstanceBody(i int) []byte {
	id := InstanceID(i)
	return vendortest.WooPollingBody(vendortest.WooInstance{ID: id, Name: "shop " + id, StoreURL: "https://shop.example.com",
		Key: "ck_bench_consumer_key", Secret: "cs_bench_consumer_secret",
		CallbackURL: "https://hooks.example.com/cb", SignatureKey: "whsec-bench"})
}

// InstancesFile returns the path of a store file holding the Instances
// instances, each created by [engine.Engine.Create] from [InstanceBody]
// (so each has its token and derived fields, as a real store does).
// Every Create is its own transaction: the file is built on tmpfs where
// the machine has it.
func InstancesFile(tb testing.TB) string {
	tb.Helper()
	name := fmt.Sprintf("instances-%d-schema%d-v1.db", Instances, boltstore.SchemaVersion)
	return file(tb, name, true, func(db *boltstore.DB) error {
		eng, err := engine.New(engine.Config{Store: db.Instances(), Clock: clockwork.NewFakeClockAt(Start),
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			return err
		}
		ctx := context.Background()
		for i := range Instances {
			if _, err := eng.Create(ctx, Tenant, InstanceBody(i)); err != nil {
				return fmt.Errorf("instance %d: %w", i, err)
			}
		}
		return nil
	})
}
