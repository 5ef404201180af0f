package receiver_test

import (
	"os/exec"
	"strings"
	"testing"
)

// A consumer that imports receiver (and receivertest in its tests) does
// not pull in the element catalogue, the inbound Handler or their
// dependencies. The standard library's own vendored golang.org/x packages
// are listed as vendor/golang.org/x/... and are fine.
func TestDeps(t *testing.T) {
	t.Parallel()
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the go command is not available to list the imports: %v", err)
	}
	const module = "github.com/a12b7632/elementevents/"
	out, err := exec.CommandContext(t.Context(), gocmd, "list", "-deps",
		module+"receiver", module+"receiver/receivertest").Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("go list -deps: %v\n%s", err, stderr)
	}
	forbidden := []string{
		module + "element",
		module + "webhook",
		module + "poller",
		"github.com/go-playground/validator",
		"github.com/gabriel-vasile/mimetype",
		"golang.org/x/text",
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 {
		t.Fatal("go list -deps listed nothing")
	}
	for _, dep := range deps {
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("receiver or receivertest depends on %s", dep)
			}
		}
	}
}
