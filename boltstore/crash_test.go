package boltstore_test

// Crash tests: the test binary runs itself as a child process (TestMain
// picks the child's part from an environment variable), the child works
// on a store file on disk, and the parent kills it with SIGKILL at random
// points, restarts it on the same file, and at the end checks what
// reached the other side.

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The child's environment.
const (
	envChild  = "BOLTSTORE_CRASH_CHILD" // "notifier" or "poller"
	envStore  = "BOLTSTORE_CRASH_STORE"
	envTarget = "BOLTSTORE_CRASH_TARGET"
	envRun    = "BOLTSTORE_CRASH_RUN"
	envFinal  = "BOLTSTORE_CRASH_FINAL"
)

// crashRuns is how many times each crash test kills its child; one more
// run then finishes the work cleanly.
const crashRuns = 22

// crashConcurrency is the Notifier's in-flight limit per endpoint in the
// notifier child: each kill can cost at most this many duplicates.
const crashConcurrency = 4

func TestMain(m *testing.M) {
	switch os.Getenv(envChild) {
	case "notifier":
		os.Exit(notifierChild())
	case "poller":
		os.Exit(pollerChild())
	}
	os.Exit(m.Run())
}

// child is a running child process and what it printed.
type child struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	ready  chan struct{}
	done   chan struct{} // stdout reached EOF

	mu    sync.Mutex
	lines []string
}

func startChild(t *testing.T, mode string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, envChild+"="+mode)...)
	c := &child{cmd: cmd, ready: make(chan struct{}), done: make(chan struct{})}
	cmd.Stderr = &c.stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() { // a line cut by the kill has no newline and is dropped
			line := sc.Text()
			if line == "READY" {
				close(c.ready)
				continue
			}
			c.mu.Lock()
			c.lines = append(c.lines, line)
			c.mu.Unlock()
		}
	}()
	return c
}

// waitReady waits for the child's READY line.
func (c *child) waitReady(t *testing.T) {
	t.Helper()
	select {
	case <-c.ready:
	case <-c.done:
		_ = c.cmd.Wait()
		t.Fatalf("child exited before it was ready: %s", c.stderr.String())
	case <-time.After(20 * time.Second):
		_ = c.cmd.Process.Kill()
		t.Fatalf("child not ready after 20 s: %s", c.stderr.String())
	}
}

// kill sends SIGKILL and returns every complete line the child printed.
func (c *child) kill(t *testing.T) []string {
	t.Helper()
	require.NoError(t, c.cmd.Process.Kill())
	<-c.done
	_ = c.cmd.Wait()
	return c.lines
}

// finish waits for the child to exit by itself, successfully.
func (c *child) finish(t *testing.T, timeout time.Duration) []string {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(timeout):
		_ = c.cmd.Process.Kill()
		<-c.done
		t.Fatalf("final child did not finish within %v: %s", timeout, c.stderr.String())
	}
	require.NoError(t, c.cmd.Wait(), "final child: %s", c.stderr.String())
	return c.lines
}

// killWhen kills the child once cond holds or after wait, whichever comes
// first, and returns its lines.
func (c *child) killWhen(t *testing.T, wait time.Duration, cond func() bool) []string {
	t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) && !cond() {
		select {
		case <-c.done:
			t.Fatalf("child exited on its own: %s", c.stderr.String())
		case <-time.After(time.Millisecond):
		}
	}
	return c.kill(t)
}

// ---------------------------------------------------------------------------
