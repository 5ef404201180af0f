package main

import (
	"context"
	"flag"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/internal/logbuf"

	"github.com/stretchr/testify/require"
)

// instanceBody is a valid webhook instance whose callback the SSRF guard
// accepts; the cases below break it one way at a time.
const instanceBody = `{"element": {"key": "woocommercerest"}, "name": "ok",
 "configuration": {"store.url": "https://shop.example.com", "oauth.api.key": "ck_x", "oauth.api.secret": "cs_x",
  "event.notification.enabled": true, "event.vendor.type": "webhook",
  "event.notification.callback.url": "https://app.example.com/element-events", "webhook.secret": "s"}}`

// TestRunBadInput checks that bad flags and bad instance files exit 2
// with every problem named, before anything starts.
func TestRunBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ok := writeFile(t, dir, "ok.json", instanceBody)
	okCopy := writeFile(t, t.TempDir(), "ok.json", instanceBody) // same file name: same id
	syntax := writeFile(t, dir, "syntax.json", "{\"element\": {\"key\": \"woocommercerest\"},\n \"configuration\": {\n")
	invalid := writeFile(t, dir, "invalid.json", `{"element": {"key": "woocommercerest"},
 "configuration": {"event.notification.enabled": true, "event.vendor.type": "polling",
  "event.notification.callback.url": "not a url", "event.poller.refresh_interval": "-1",
  "event.poller.configuration": {"customers": {"url": "/hubs/ecommerce/customers",
   "datesConfiguration": {"updatedDateField": "date_modified_gmt", "updatedDateTimezone": "Mars/Olympus"}}}}}`)
	unknown := writeFile(t, dir, "unknown.json", strings.Replace(instanceBody, "woocommercerest", "no-such-element", 1))
	loopback := writeFile(t, dir, "loopback.json", strings.Replace(instanceBody, "https://app.example.com", "http://127.0.0.1:9", 1))
	loopbackStore := writeFile(t, dir, "loopbackstore.json", strings.NewReplacer(`"webhook"`, `"polling", "event.objects": "customers"`,
		"https://shop.example.com", "http://127.0.0.1:9").Replace(instanceBody))
	loopbackBase := writeFile(t, dir, "loopbackbase.json", strings.Replace(instanceBody, `"webhook"`, `"polling", "event.objects": "customers"`, 1))
	noCreds := writeFile(t, dir, "nocreds.json", `{"element": {"key": "woocommercerest"},
 "configuration": {"store.url": "https://shop.example.com", "event.notification.enabled": true,
  "event.vendor.type": "polling", "event.objects": "customers",
  "event.notification.callback.url": "https://app.example.com/element-events"}}`)
	disabled := writeFile(t, dir, "disabled.json", strings.Replace(instanceBody, `"event.notification.enabled": true`, `"event.notification.enabled": false`, 1))
	off := writeFile(t, dir, "off.json", strings.Replace(instanceBody, `"event.notification.enabled": true,`, ``, 1))
	missing := dir + "/missing.json"

	tests := []struct {
		name string
		args []string
		want []string // each in stderr
	}{
		{"no instance", nil, []string{"-instance: at least one instance file is required"}},
		{"unknown flag", []string{"-instance", ok, "-bogus"}, []string{"flag provided but not defined: -bogus", "standalone -h"}},
		{"positional argument", []string{"-instance", ok, "extra.json"}, []string{`unexpected argument "extra.json"`}},
		{"empty listen", []string{"-instance", ok, "-listen", ""}, []string{"-listen: an address is required"}},
		{"log format", []string{"-instance", ok, "-log-format", "xml"}, []string{`-log-format: "xml" is neither text nor json`}},
		{"log level", []string{"-instance", ok, "-log-level", "loud"}, []string{`invalid value "loud" for flag -log-level`}},
		{"zero shutdown timeout", []string{"-instance", ok, "-shutdown-timeout", "0s"}, []string{"-shutdown-timeout: must be positive"}},
		{"shutdown timeout", []string{"-instance", ok, "-shutdown-timeout", "soon"}, []string{"-shutdown-timeout"}},
		{"signature tolerance", []string{"-instance", ok, "-signature-tolerance", "5"}, []string{"-signature-tolerance"}},
		{"base-url without key", []string{"-instance", ok, "-base-url", "http://127.0.0.1:1"}, []string{"-base-url", "want ELEMENTKEY=URL"}},
		{"base-url unknown element", []string{"-instance", ok, "-base-url", "nope=http://127.0.0.1:1"}, []string{`element "nope" is not in the catalogue`}},
		{"base-url relative", []string{"-instance", ok, "-base-url", "woocommercerest=/wp-json"}, []string{"must be an absolute http(s) URL"}},
		{"base-url twice", []string{"-instance", ok, "-base-url", "concur=http://a.example", "-base-url", "concur=http://b.example"}, []string{`element "concur" is given twice`}},
		{"missing file", []string{"-instance", missing}, []string{"missing.json: no such file or directory"}},
		{"invalid JSON", []string{"-instance", syntax}, []string{"syntax.json: element: invalid JSON at line 3"}},
		{"invalid instance", []string{"-instance", invalid}, []string{
			"invalid.json: event.notification.callback.url: must be an absolute http or https URL",
			"invalid.json: event.poller.configuration.customers.idField: required",
			"invalid.json: event.poller.configuration.customers.datesConfiguration.updatedDateTimezone: ",
			"invalid.json: event.poller.refresh_interval: must be positive",
		}},
		{"unknown element", []string{"-instance", unknown}, []string{`unknown.json: element.key: unknown element "no-such-element"`}},
		{"loopback callback", []string{"-instance", loopback}, []string{"loopback.json: event.notification.callback.url: ", "-allow-private"}},
		{"loopback store", []string{"-instance", loopbackStore}, []string{
			"loopbackstore.json: poller: instance loopbackstore: store.url: ", "127.0.0.1 is loopback", "-allow-private"}},
		{"loopback base URL", []string{"-instance", loopbackBase, "-base-url", "woocommercerest=http://[::1]:9/wp-json/wc/v3"}, []string{
			"loopbackbase.json: poller: instance loopbackbase: HTTPConfig.BaseURL: ", "::1 is loopback", "-allow-private"}},
		{"missing credentials", []string{"-instance", noCreds}, []string{`nocreds.json: `, `"oauth.api.key" is missing`}},
		{"duplicate id", []string{"-instance", ok, "-instance", okCopy}, []string{`instance id "ok" is also the id of ` + ok}},
		{"all disabled", []string{"-instance", disabled}, []string{"nothing to run", "disabled.json"}},
		{"events off by omission", []string{"-instance", off}, []string{"nothing to run", "off.json (events are off: event.notification.enabled is not set"}},
		{"every file's problems at once", []string{"-instance", missing, "-instance", ok, "-instance", syntax, "-instance", invalid}, []string{
			"missing.json: no such file",
			"syntax.json: element: invalid JSON",
			"invalid.json: event.notification.callback.url",
			"invalid.json: event.poller.refresh_interval",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// If the input were wrongly accepted, the program would run
			// until this context ends, and exit 0.
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			var stdout, stderr logbuf.Buffer
			args := append([]string{"-listen", "127.0.0.1:0"}, tt.args...)
			code := run(ctx, args, &stdout, &stderr)
			require.Equal(t, exitUsage, code, "stderr:\n%s", &stderr)
			for _, w := range tt.want {
				require.Contains(t, stderr.String(), w)
			}
			require.NotContains(t, stderr.String(), "listening", "started before rejecting the input")
			require.Empty(t, stdout.String())
		})
	}
}

// TestRunHelp checks that -h writes, to stdout, the intro and every flag,
// and says that state is in memory.
func TestRunHelp(t *testing.T) {
	t.Parallel()
	var stdout, stderr logbuf.Buffer
	require.Equal(t, exitOK, run(t.Context(), []string{"-h"}, &stdout, &stderr))
	help := stdout.String()
	require.Empty(t, stderr.String())
	require.Contains(t, help, "Usage:")
	require.Contains(t, help, "Examples:")
	n := 0
	newFlagSet(&options{}).VisitAll(func(f *flag.Flag) {
		n++
		require.Regexp(t, `\n  -`+f.Name+`[ \n]`, help, "flag -%s is not documented", f.Name)
	})
	require.Equal(t, 10, n, "a flag was added or removed: update this test and the README")
	require.Contains(t, help, "state is kept in memory")
}

// TestRunListenTaken checks that an address in use is a runtime failure,
// exit 1.
func TestRunListenTaken(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	ok := writeFile(t, t.TempDir(), "ok.json", instanceBody)
	var stdout, stderr logbuf.Buffer
	code := run(t.Context(), []string{"-instance", ok, "-listen", ln.Addr().String()}, &stdout, &stderr)
	require.Equal(t, exitFailure, code, "stderr:\n%s", &stderr)
	require.Contains(t, stderr.String(), "cannot listen")
}

// TestRunShutdownTimeout checks that a delivery still in flight at
// -shutdown-timeout makes the program exit 1, on time, and that the
// notifier still finishes that delivery afterwards rather than leak.
//
// It is not parallel, so that the leak check sees only its own goroutines.
func TestRunShutdownTimeout(t *testing.T) {
	sc := newScenario(t)
	p := startInProcess(t, sc.args("-shutdown-timeout", "300ms"))
	p.listenAddr(t)
	p.waitFor(t, "the baseline poll", func() bool { return sc.servedLists() >= 1 })
	sc.changeEmail(t, 1, "ada.lovelace@example.com", time.Now())
	select {
	case <-sc.rcv.held:
	case <-time.After(10 * time.Second):
		t.Fatalf("customer 1's update was not delivered; logs:\n%s", p.logs)
	}
	stopped := time.Now()
	p.stop()
	code := p.exit(t, 3*time.Second)
	require.Equal(t, exitFailure, code, "logs:\n%s", p.logs)
	require.Less(t, time.Since(stopped), 2*time.Second)
	require.Contains(t, p.logs.String(), "deliveries still in flight at the timeout")
	require.Contains(t, p.logs.String(), "clean=false")
	sc.rcv.releaseAll()
	requireNoLeak(t)
}
