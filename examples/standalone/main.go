// Command standalone runs element instance files for real: it polls the
// vendors of the polling instances, serves the vendor webhooks of the webhook
// instances, and delivers every change as a signed notification to each
// instance's callback URL.
//
//	go run ./examples/standalone -instance a.json -instance b.json -listen :8080 -state ./state
//
// Run it with -h for every flag. It stops cleanly on SIGINT or SIGTERM.
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
