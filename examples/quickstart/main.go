// Command quickstart runs the whole library on one machine and exits: a
// fake WooCommerce store, two instances of it parsed from JSON (one polls
// the store's customers, the other receives the store's webhooks), the
// Notifier delivering signed notifications, and a consumer that verifies
// them with receiver.Receiver and prints one line per event.
//
//	go run ./examples/quickstart
//
// Everything listens on 127.0.0.1, nothing is installed, and it exits with
// status 0 within a second or so, or 1 with the reason.
//
// With -serve, after the story, it keeps running: an engine runs the same
// two instances over a new fake store, with the /instances API and the web
// console over it, and it prints the console's URL and how to sign in; it
// serves until Ctrl-C (serve.go).
//
//	go run ./examples/quickstart -serve
//
// The files, in the order to read them:
//
//	flow.go       the story: create, update and delete customers, poll, print
//	setup.go      starts the store, your service and the consumer; registers the webhooks
//	service.go    your service: Notifier, Poller and webhook Handler, wired up
//	instances.go  the instances, from polling.json and webhook.json
//	receiver.go   the consumer at the callback URL, with receiver.Receiver
//	loopback.go   an HTTP server per party, on a loopback port
//	serve.go      -serve: the engine, the API and the console over the same parties
//
// The store is package vendortest's fake WooCommerce: the customers and
// the webhooks of its REST API v3, and the signed webhooks it sends when
// customers change.
//
// # Time
//
// The store's time is a fake clock (clockwork) that the story moves
// forward: 45 minutes of store time pass in an instant, and since the store
// dates every record with it (and the poller and the webhook handler read
// those dates), every run prints the same. The Notifier and the consumer
// keep the real clock, because the consumer checks each signature's
// timestamp against its own clock; the one retry shown waits 100 ms of real
// time.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// The demo's credentials. In a real deployment they come from the store's
// settings (REST API keys, webhook secret) and from you (the signature key
// your consumer shares with the Notifier).
const (
	consumerKey    = "ck_quickstart_4f8a1c0e9b7d6a5f3e2d1c0b"
	consumerSecret = "cs_quickstart_0a1b2c3d4e5f60718293a4b5"
	webhookSecret  = "quickstart-webhook-secret"
	signatureKey   = "quickstart-signature-key"
)

// storeStart is when the story begins, on the store's fake clock.
var storeStart = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func main() {
	serveFlag := flag.Bool("serve", false, "after the story, serve the web console and the API over an engine until Ctrl-C")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// It exits by itself well before this; the bound is for a machine in
	// trouble, so that the quickstart never hangs.
	story, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	if _, err := run(story, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
	if *serveFlag {
		if err := servePlayground(ctx, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "quickstart:", err)
			os.Exit(1)
		}
	}
}
