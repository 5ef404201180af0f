package notify

import (
	"context"
	"errors"
	"time"

	"github.com/jonboulle/clockwork"
)

// errAttemptTimeout is the cause of an attempt's context when Timeout runs
// out (on the injected clock).
var errAttemptTimeout = errors.New("attempt timed out")

// deadline times one worker's attempts, one after another, on the injected
// clock. It reuses one context and one timer from attempt to attempt and
// makes new ones only after a timeout, so timing an attempt allocates
// nothing. It is not safe for concurrent use: each worker has its own.
type deadline struct {
	parent  context.Context
	clock   clockwork.Clock
	timeout time.Duration

	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  clockwork.Timer
	// stale marks a timer that fired (or is firing) since the last start:
	// its context must not be used again.
	stale bool
}

// start begins timing an attempt and returns its context, which is
// cancelled with cause errAttemptTimeout when the timeout runs out.
func (d *deadline) start() context.Context {
	if d.ctx == nil || d.stale || d.ctx.Err() != nil {
		d.close()
		ctx, cancel := context.WithCancelCause(d.parent)
		d.ctx, d.cancel, d.stale = ctx, cancel, false
		d.timer = d.clock.AfterFunc(d.timeout, func() { cancel(errAttemptTimeout) })
		return ctx
	}
	d.timer.Reset(d.timeout)
	return d.ctx
}

// stop ends the attempt's timing.
func (d *deadline) stop() {
	if !d.timer.Stop() {
		d.stale = true
	}
}

// timedOut reports whether the current attempt ran out of time.
func (d *deadline) timedOut() bool {
	return errors.Is(context.Cause(d.ctx), errAttemptTimeout)
}

// close releases the timer and the context.
func (d *deadline) close() {
	if d.timer != nil {
		d.timer.Stop()
	}
	if d.cancel != nil {
		d.cancel(nil)
	}
}
