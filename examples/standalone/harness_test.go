package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/internal/logbuf"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/vendortest"
)

// Credentials of the scenario; the tests check that none reaches the logs.
const (
	consumerKey    = "ck_5d0c1b9e8a7f6e5d4c3b2a1908f7e6d5c4b3a291"
	consumerSecret = "cs_91a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4"
	signatureKey   = "notification-signing-key-0123456789"
	webhookSecret  = "wc-webhook-secret-9876543210"
)

// The ids the program gives the scenario's instances: shop.json has
// "id": 7, hooks.json has none and is named after its file.
const (
	shopID  = "7"
	hooksID = "hooks"
)

// scenario is a fake WooCommerce store, a callback receiver and two
// instance files: shop.json polls the store's customers every 300 ms,
// hooks.json takes the store's webhooks.
type scenario struct {
	store       *vendortest.WooCommerce
	rcv         *receiver
	callbackURL string
	shop, hooks string // the instance files
}

// newScenario builds the scenario. The receiver holds in flight the
// notification of customer 1's update, so that a test can stop the
// program while that delivery is under way.
func newScenario(t *testing.T) *scenario {
	t.Helper()
	sc := &scenario{}
	// The store, on the real clock, with two customers of two days ago.
	sc.store = vendortest.ServeWooCommerce(t, vendortest.WooConfig{Key: consumerKey, Secret: consumerSecret})
	long := time.Now().Add(-48 * time.Hour)
	sc.store.PutCustomer(vendortest.Customer{ID: 1, Email: "ada@example.com", Created: long, Modified: long.Add(time.Hour)})
	sc.store.PutCustomer(vendortest.Customer{ID: 2, Email: "grace@example.com", Created: long, Modified: long})
	rc, callback := newReceiver(t, []byte(signatureKey), isCustomer1Update)
	sc.rcv, sc.callbackURL = rc, callback.URL+"/element-events"
	dir := t.TempDir()
	sc.shop = writeJSON(t, dir, "shop.json", map[string]any{
		"id":      7,
		"element": map[string]any{"key": "woocommercerest"},
		"name":    "e2e shop",
		"tags":    []string{"e2e"},
		"configuration": map[string]any{
			"store.url":                        "https://shop.example.com", // replaced by -base-url
			"oauth.api.key":                    consumerKey,
			"oauth.api.secret":                 consumerSecret,
			"event.notification.enabled":       true,
			"event.vendor.type":                "polling",
			"event.notification.callback.url":  sc.callbackURL,
			"event.notification.signature.key": signatureKey,
			// Minutes, and the element reads fractions: 0.005 is 300 ms.
			"event.poller.refresh_interval": "0.005",
			"event.objects":                 "customers",
		},
	})
	sc.hooks = writeJSON(t, dir, "hooks.json", map[string]any{
		"element": map[string]any{"key": "woocommercerest"},
		"name":    "e2e hooks",
		"configuration": map[string]any{
			"store.url":                        "https://shop.example.com",
			"oauth.api.key":                    consumerKey,
			"oauth.api.secret":                 consumerSecret,
			"event.notification.enabled":       "true",
			"event.vendor.type":                "webhooks",
			"event.notification.callback.url":  sc.callbackURL,
			"event.notification.signature.key": signatureKey,
			"webhook.secret":                   webhookSecret,
		},
	})
	return sc
}

// isCustomer1Update matches the notification the receiver holds in flight.
func isCustomer1Update(n events.Notification) bool {
	m := n.Message
	return m.InstanceID == shopID && len(m.Events) > 0 &&
		m.Events[0].EventType == events.Updated && m.Events[0].ObjectID == "1"
}

// servedLists returns how many customer lists the store answered.
func (sc *scenario) servedLists() int {
	n := 0
	for _, r := range sc.store.Log().Since(0) {
		if r.Resource == "customers" && r.Status == http.StatusOK {
			n++
		}
	}
	return n
}

// changeEmail changes a customer's email, modified at modified.
func (sc *scenario) changeEmail(t *testing.T, id int, email string, modified time.Time) {
	t.Helper()
	c, ok := sc.store.Customer(id)
	require.True(t, ok, "customer %d", id)
	c.Email, c.Modified = email, modified
	sc.store.PutCustomer(c)
}

// args are the program's flags for the scenario.
func (sc *scenario) args(extra ...string) []string {
	return append([]string{
		"-instance", sc.shop,
		"-instance", sc.hooks,
		"-listen", "127.0.0.1:0",
		"-base-url", "woocommercerest=" + sc.store.URL() + vendortest.WooAPIPath,
		"-allow-private",
		"-shutdown-timeout", "5s",
	}, extra...)
}

func writeJSON(t *testing.T, dir, name string, v any) string {
	t.Helper()
	body, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	return writeFile(t, dir, name, string(body))
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	return path
}

// program is the standalone program under test, run in process or as a
// subprocess.
type program struct {
	logs *logbuf.Buffer
	stop func() // the signal
	done chan struct{}
	code int // valid once done is closed
}

// startInProcess calls run in a goroutine; stop cancels its context, as
// the signal does in main.
func startInProcess(t *testing.T, args []string) *program {
	ctx, cancel := context.WithCancelCause(context.Background())
	p := &program{logs: &logbuf.Buffer{}, done: make(chan struct{})}
	p.stop = func() { cancel(errors.New("test stop")) }
	go func() {
		defer close(p.done)
		p.code = run(ctx, args, p.logs, p.logs)
	}()
	t.Cleanup(func() {
		cancel(nil)
		<-p.done
	})
	return p
}

// startProcess starts the built binary; stop sends it SIGTERM.
func startProcess(t *testing.T, bin string, args []string) *program {
	cmd := exec.Command(bin, args...)
	p := &program{logs: &logbuf.Buffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	require.NoError(t, cmd.Start())
	p.stop = func() { require.NoError(t, cmd.Process.Signal(syscall.SIGTERM)) }
	go func() {
		defer close(p.done)
		_ = cmd.Wait()
		p.code = cmd.ProcessState.ExitCode()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	return p
}

// buildProgram builds the program into a temporary directory.
func buildProgram(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the program with")
	}
	bin := filepath.Join(t.TempDir(), "standalone")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

var addrRE = regexp.MustCompile(`addr[=":]+([0-9.]+:[0-9]+)`)

// listenAddr waits for the program to log the address it listens on.
func (p *program) listenAddr(t *testing.T) string {
	t.Helper()
	var addr string
	p.waitFor(t, "the listening log line", func() bool {
		for _, line := range strings.Split(p.logs.String(), "\n") {
			if strings.Contains(line, "listening") {
				if m := addrRE.FindStringSubmatch(line); m != nil {
					addr = m[1]
					return true
				}
			}
		}
		return false
	})
	return addr
}

// waitFor polls cond until it holds, failing the test with the logs after
// 10 s or if the program exits first.
func (p *program) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		select {
		case <-p.done:
			t.Fatalf("the program exited (status %d) while waiting for %s; logs:\n%s", p.code, what, p.logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; logs:\n%s", what, p.logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// exit waits for the program to exit, at most within, and returns its
// status.
func (p *program) exit(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(within):
		t.Fatalf("the program did not exit within %v; logs:\n%s", within, p.logs)
		return -1
	}
}
