// Command server runs elementevents as a service: the /instances REST API
// (package api) over a live engine (package engine), the vendors' inbound
// webhooks, and a health check, over the embedded bbolt store by default
// or PostgreSQL with -postgres.
//
//	go run ./examples/server -demo
//
// With -demo it also serves a fake WooCommerce store and a receiver on the
// same port, and a demo tenant, so that the README's walkthrough runs with
// nothing but curl: create the documented polling instance, watch events
// arrive, patch the refresh interval, break the callback, list the
// failures and replay them. Run it with -h for every flag. It stops
// cleanly on SIGINT or SIGTERM.
//
// The files, in the order to read them:
//
//	run.go      the program: flags, stores, engine, API, server, shutdown
//	stores.go   where instances, events, deliveries and poll state are kept
//	tenants.go  who may call the API (ELEMENTEVENTS_TENANTS, or the demo tenant)
//	seed.go     instance files created at start (-seed)
//	demo.go     the fake store and receiver of -demo
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // from now on a second signal ends the program at once
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
