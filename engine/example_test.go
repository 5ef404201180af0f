package engine_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/a12b7632/elementevents/engine"
)

// A host creates, patches and deletes an instance; each change applies
// to the running engine at once. (A host calls eng.Run(ctx) in a
// goroutine to poll and deliver; this example only writes.)
func ExampleEngine() {
	ctx := context.Background()
	eng, err := engine.New(engine.Config{}) // every store in memory
	if err != nil {
		panic(err)
	}
	inst, err := eng.Create(ctx, "acme", []byte(`{
	  "id": "shop-1", "name": "my shop", "element": {"key": "woocommercerest"},
	  "configuration": {
	    "store.url": "https://shop.example.com",
	    "oauth.api.key": "ck_example", "oauth.api.secret": "cs_example",
	    "event.notification.enabled": "true", "event.vendor.type": "polling",
	    "event.notification.callback.url": "https://app.example.com/events",
	    "event.poller.refresh_interval": "15", "event.objects": "customers"}}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(inst.ID, inst.Version, inst.Config.Configuration.Events.RefreshInterval)

	inst, err = eng.Patch(ctx, "acme", inst.ID, inst.Version,
		[]byte(`{"configuration": {"event.poller.refresh_interval": "5"}}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(inst.ID, inst.Version, inst.Config.Configuration.Events.RefreshInterval)

	_, err = eng.Patch(ctx, "acme", inst.ID, 1, []byte(`{"name": "stale"}`))
	fmt.Println(errors.Is(err, engine.ErrConflict))

	_, err = eng.Get(ctx, "another tenant", inst.ID)
	fmt.Println(errors.Is(err, engine.ErrNotFound))

	fmt.Println(eng.Delete(ctx, "acme", inst.ID, 0))
	// Output:
	// shop-1 1 15m0s
	// shop-1 2 5m0s
	// true
	// true
	// <nil>
}
