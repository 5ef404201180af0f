package boltstore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// bbolt's page layout (format version 2): a 16-byte header (id uint64,
// flags uint16, count uint16, overflow uint32), then count 16-byte
// elements whose keys and values sit further on, at offsets relative to
// each element. Branch elements are (pos, ksize uint32, child page
// uint64); leaf elements are (flags, pos, ksize, vsize uint32). A leaf
// element with the bucket flag holds a nested bucket: its root page and
// sequence (uint64 each), followed, when the root is 0, by the bucket's
// own inline leaf page.
const (
	pageHeaderLen = 16
	elemLen       = 16
	inBucketLen   = 16

	flagBranch   = 0x01
	flagLeaf     = 0x02
	flagFreelist = 0x10
	leafIsBucket = 0x01
)

// verifier checks the B+tree of a bbolt file: every page reachable from
// the root once, inside the high-water mark, of the right type, with its
// elements inside the page and its keys in order, and none of them on the
// freelist. It reads the file with ReadAt into its own buffers and never
// follows a pointer it has not bounds-checked, so a damaged file gives an
// error, never a fault; and it walks with an explicit stack and a visited
// set, so a cycle of pages ends the walk instead of recursing forever.
//
// bbolt's own Tx.Check does more but is unsafe on a damaged file: it
// follows page ids without bounds checks, on a goroutine of its own, and
// recurses without cycle detection, so it can take the process down.
type verifier struct {
	r        io.ReaderAt
	path     string
	ps       uint64
	hwm      uint64
	reached  []bool // by page id
	freelist []bool
}

// verifyFile checks the tree of the meta page precheck picks.
func verifyFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("boltstore: verify %s: %w", path, err)
	}
	defer f.Close()
	m, err := pickMeta(f, path)
	if err != nil {
		return err
	}
	v := &verifier{r: f, path: path, ps: uint64(m.pageSize), hwm: m.pgid}
	v.reached = make([]bool, m.pgid)
	v.reached[0], v.reached[1] = true, true
	if m.freelist != noFreelist {
		if err := v.readFreelist(m.freelist); err != nil {
			return err
		}
	}
	return v.walk(m.root)
}

func (v *verifier) fail(format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrCorrupt, v.path, fmt.Sprintf(format, args...))
}

// page reads page id with its overflow pages and marks them reached.
func (v *verifier) page(id uint64, from string) ([]byte, error) {
	if id < 2 || id >= v.hwm {
		return nil, v.fail("%s refers to page %d, outside 2..%d", from, id, v.hwm-1)
	}
	// One read for the page, a second for its overflow pages if any.
	buf := make([]byte, v.ps)
	if _, err := v.r.ReadAt(buf, int64(id*v.ps)); err != nil {
		return nil, v.fail("page %d: %v", id, err)
	}
	overflow := uint64(binary.LittleEndian.Uint32(buf[12:]))
	if got := binary.LittleEndian.Uint64(buf); got != id {
		return nil, v.fail("page %d says it is page %d", id, got)
	}
	if overflow >= v.hwm-id {
		return nil, v.fail("page %d: %d overflow pages run past page %d", id, overflow, v.hwm-1)
	}
	for i := id; i <= id+overflow; i++ {
		if v.reached[i] {
			return nil, v.fail("page %d is referenced twice (from %s)", i, from)
		}
		if v.freelist != nil && v.freelist[i] {
			return nil, v.fail("page %d is in use and on the freelist", i)
		}
		v.reached[i] = true
	}
	if overflow > 0 {
		buf = append(buf, make([]byte, overflow*v.ps)...)
		if _, err := v.r.ReadAt(buf[v.ps:], int64((id+1)*v.ps)); err != nil {
			return nil, v.fail("page %d: %v", id, err)
		}
	}
	return buf, nil
}

func (v *verifier) readFreelist(id uint64) error {
	buf, err := v.page(id, "the meta page's freelist")
	if err != nil {
		return err
	}
	if flags := binary.LittleEndian.Uint16(buf[8:]); flags != flagFreelist {
		return v.fail("freelist page %d has flags %#x", id, flags)
	}
	n, at := uint64(binary.LittleEndian.Uint16(buf[10:])), uint64(pageHeaderLen)
	if n == 0xFFFF {
		n, at = binary.LittleEndian.Uint64(buf[pageHeaderLen:]), at+8
	}
	if n > (uint64(len(buf))-at)/8 {
		return v.fail("freelist page %d claims %d ids", id, n)
	}
	v.freelist = make([]bool, v.hwm)
	for i := range n {
		p := binary.LittleEndian.Uint64(buf[at+8*i:])
		switch {
		case p < 2 || p >= v.hwm:
			return v.fail("freelist holds page %d, outside 2..%d", p, v.hwm-1)
		case v.freelist[p]:
			return v.fail("freelist holds page %d twice", p)
		case v.reached[p]:
			return v.fail("freelist holds page %d, which is in use", p)
		}
		v.freelist[p] = true
	}
	return nil
}

// walk checks the tree under root, nested buckets included.
func (v *verifier) walk(root uint64) error {
	type item struct {
		id   uint64
		from string
	}
	stack := []item{{root, "the meta page's root"}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		buf, err := v.page(it.id, it.from)
		if err != nil {
			return err
		}
		where := fmt.Sprintf("page %d", it.id)
		children, buckets, err := v.elements(buf, where)
		if err != nil {
			return err
		}
		for _, c := range children {
			stack = append(stack, item{c, where})
		}
		// Nested buckets: their roots join the walk; inline ones are
		// checked where they are (they hold no nested bucket of their own
		// that is not inline, as bbolt only inlines buckets without any).
		for len(buckets) > 0 {
			b := buckets[len(buckets)-1]
			buckets = buckets[:len(buckets)-1]
			if len(b.value) < inBucketLen {
				return v.fail("%s: bucket %q: value of %d bytes", b.where, b.key, len(b.value))
			}
			if r := binary.LittleEndian.Uint64(b.value); r != 0 {
				stack = append(stack, item{r, fmt.Sprintf("bucket %q on %s", b.key, b.where)})
				continue
			}
			inline := b.value[inBucketLen:]
			kids, more, err := v.elements(inline, fmt.Sprintf("inline bucket %q on %s", b.key, b.where))
			if err != nil {
				return err
			}
			if len(kids) > 0 {
				return v.fail("inline bucket %q on %s is a branch", b.key, b.where)
			}
			buckets = append(buckets, more...)
		}
	}
	return nil
}

type bucketRef struct {
	where      string
	key, value []byte
}

// elements checks one page's elements, returning a branch's children and
// a leaf's nested buckets.
func (v *verifier) elements(buf []byte, where string) (children []uint64, buckets []bucketRef, err error) {
	if len(buf) < pageHeaderLen {
		return nil, nil, v.fail("%s: %d bytes", where, len(buf))
	}
	flags := binary.LittleEndian.Uint16(buf[8:])
	n := int(binary.LittleEndian.Uint16(buf[10:]))
	if flags != flagBranch && flags != flagLeaf {
		return nil, nil, v.fail("%s: flags %#x, want a branch or leaf page", where, flags)
	}
	if pageHeaderLen+n*elemLen > len(buf) {
		return nil, nil, v.fail("%s: %d elements do not fit", where, n)
	}
	if flags == flagBranch && n == 0 {
		return nil, nil, v.fail("%s: empty branch page", where)
	}
	var prev []byte
	for i := range n {
		at := pageHeaderLen + i*elemLen
		e := buf[at : at+elemLen]
		var pos, ksize, vsize uint64
		if flags == flagBranch {
			pos, ksize = uint64(binary.LittleEndian.Uint32(e)), uint64(binary.LittleEndian.Uint32(e[4:]))
		} else {
			pos, ksize, vsize = uint64(binary.LittleEndian.Uint32(e[4:])), uint64(binary.LittleEndian.Uint32(e[8:])), uint64(binary.LittleEndian.Uint32(e[12:]))
		}
		start := uint64(at) + pos
		if start+ksize+vsize > uint64(len(buf)) {
			return nil, nil, v.fail("%s: element %d runs past the page", where, i)
		}
		key := buf[start : start+ksize]
		if i > 0 && bytes.Compare(prev, key) >= 0 {
			return nil, nil, v.fail("%s: keys out of order at element %d", where, i)
		}
		prev = key
		if flags == flagBranch {
			children = append(children, binary.LittleEndian.Uint64(e[8:]))
			continue
		}
		if binary.LittleEndian.Uint32(e)&leafIsBucket != 0 {
			buckets = append(buckets, bucketRef{where: where, key: key, value: buf[start+ksize : start+ksize+vsize]})
		}
	}
	return children, buckets, nil
}
