package notify

// Idle reports whether no dispatch pass and no attempt is under way, with
// the number of dispatch passes so far: a test that sees the same count
// before and after reading the outbox knows nothing moved in between, and
// may advance the fake clock without cutting an attempt short.
func (n *Notifier) Idle() (dispatches uint64, idle bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	busy := n.dispatching
	for _, v := range n.inflight {
		busy = busy || v > 0
	}
	return n.dispatches, !busy
}
