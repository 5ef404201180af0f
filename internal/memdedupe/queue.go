package memdedupe

// chunkSize is the number of entries in each of a queue's chunks.
const chunkSize = 1024

// queue holds the marked entries in marking order, in chunks of
// chunkSize: a push never copies what is queued, as appending to one
// growing slice would, and a day's ids can be millions.
type queue struct {
	// chunks[0] is read from head on; the last one fills up. Every
	// chunk but the last is full.
	chunks [][]entry
	head   int
	spare  []entry // an emptied chunk, reused by the next push that needs one
}

// push adds e at the back.
func (q *queue) push(e entry) {
	if n := len(q.chunks); n == 0 || len(q.chunks[n-1]) == chunkSize {
		c := q.spare
		q.spare = nil
		if c == nil {
			c = make([]entry, 0, chunkSize)
		}
		q.chunks = append(q.chunks, c)
	}
	last := &q.chunks[len(q.chunks)-1]
	*last = append(*last, e)
}

// front returns the oldest entry, false when the queue is empty.
func (q *queue) front() (entry, bool) {
	if len(q.chunks) == 0 || q.head == len(q.chunks[0]) {
		return entry{}, false
	}
	return q.chunks[0][q.head], true
}

// pop drops the oldest entry; the queue must not be empty.
func (q *queue) pop() {
	q.head++
	if q.head < chunkSize {
		return
	}
	// The first chunk was full and is read: keep it as the spare.
	q.spare = q.chunks[0][:0]
	q.chunks[0] = nil
	q.chunks = q.chunks[1:]
	q.head = 0
}

// len returns the number of entries queued.
func (q *queue) len() int {
	switch len(q.chunks) {
	case 0:
		return 0
	default:
		return (len(q.chunks)-1)*chunkSize + len(q.chunks[len(q.chunks)-1]) - q.head
	}
}
