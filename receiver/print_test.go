package receiver_test

import (
	"testing"

	"github.com/a12b7632/elementevents/internal/printcheck"
	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/signature"
)

// TestConfigNeverPrintsItsKeys: a Config printed or logged by the host,
// as configs often are at start-up, shows no key.
func TestConfigNeverPrintsItsKeys(t *testing.T) {
	t.Parallel()
	cfg := receiver.Config{Keys: []signature.Key{[]byte("TOPSECRET-new"), []byte("TOPSECRET-old")}}
	printcheck.NoSecret(t, "Config", printcheck.Forms(cfg), "TOPSECRET-new", "TOPSECRET-old")
}
