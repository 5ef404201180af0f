package boltstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// bbolt's on-disk meta page (format version 2, unchanged since 2014): a
// 16-byte page header, then magic, version, page size and flags (uint32
// each), the root bucket (root page and sequence), the freelist page, the
// high-water page id and the transaction id (uint64 each), and an FNV-64a
// checksum of the fields before it, all in the machine's byte order
// (little-endian on every platform Go's bbolt builds for in practice).
const (
	boltMagic       = 0xED0CDAED
	boltVersion     = 2
	metaOffset      = 16 // page header
	metaChecksumAt  = metaOffset + 56
	metaLen         = metaChecksumAt + 8
	noFreelist      = ^uint64(0)
	minBoltPageSize = 1024
)

// boltMeta is the part of a meta page the precheck uses.
type boltMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64 // high-water mark: pages in use
	txid     uint64
}

// metaState says what a buffer holds where a meta page should be.
type metaState int

const (
	metaAbsent metaState = iota // no bbolt magic: not a meta page
	metaBroken                  // bbolt magic, but a bad version or checksum
	metaValid
)

func parseMeta(buf []byte) (boltMeta, metaState) {
	if len(buf) < metaLen {
		return boltMeta{}, metaAbsent
	}
	le := binary.LittleEndian
	if le.Uint32(buf[metaOffset:]) != boltMagic {
		return boltMeta{}, metaAbsent
	}
	h := fnv.New64a()
	h.Write(buf[metaOffset:metaChecksumAt])
	if le.Uint32(buf[metaOffset+4:]) != boltVersion || h.Sum64() != le.Uint64(buf[metaChecksumAt:]) {
		return boltMeta{}, metaBroken
	}
	return boltMeta{
		pageSize: le.Uint32(buf[metaOffset+8:]),
		root:     le.Uint64(buf[metaOffset+16:]),
		freelist: le.Uint64(buf[metaOffset+32:]),
		pgid:     le.Uint64(buf[metaOffset+40:]),
		txid:     le.Uint64(buf[metaOffset+48:]),
	}, metaValid
}

// precheck looks at an existing file before bbolt maps it, so that a file
// that is not a bbolt file, or one cut short, is refused with a clear
// error rather than handed to code that would fault on pages past the
// end of the file. It reports whether the file is new (absent or empty).
//
// bbolt keeps two meta pages and uses the valid one with the higher
// transaction id; a torn write of one of them is survivable, so one valid
// meta is enough here too.
func precheck(path string) (fresh bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("boltstore: stat %s: %w", path, err)
	}
	if info.IsDir() {
		return false, fmt.Errorf("%w: %s is a directory", ErrForeignFile, path)
	}
	if info.Size() == 0 {
		return true, nil
	}
	_, err = pickMeta(f, path)
	return false, err
}

// pickMeta returns the meta page bbolt would use: the valid one with the
// higher transaction id. It fails unless the tree it describes fits in
// the file.
func pickMeta(f *os.File, path string) (boltMeta, error) {
	info, err := f.Stat()
	if err != nil {
		return boltMeta{}, fmt.Errorf("boltstore: stat %s: %w", path, err)
	}
	size := info.Size()
	read := func(off int64) []byte {
		buf := make([]byte, metaLen)
		n, err := f.ReadAt(buf, off)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil
		}
		return buf[:n]
	}
	m0, s0 := parseMeta(read(0))
	// The second meta page sits one page in; without a valid first meta
	// the page size is unknown, so try every size bbolt allows.
	var m1 boltMeta
	s1 := metaAbsent
	if s0 == metaValid {
		m1, s1 = parseMeta(read(int64(m0.pageSize)))
	} else {
		for ps := int64(minBoltPageSize); ps <= 16<<20 && ps+metaLen <= size; ps <<= 1 {
			if m, s := parseMeta(read(ps)); s > s1 {
				m1, s1 = m, s
			}
		}
	}

	var m boltMeta
	switch {
	case s0 == metaValid && (s1 != metaValid || m0.txid >= m1.txid):
		m = m0
	case s1 == metaValid:
		m = m1
	case s0 == metaAbsent && s1 == metaAbsent:
		return boltMeta{}, fmt.Errorf("%w: %s is not a bbolt file", ErrForeignFile, path)
	default:
		return boltMeta{}, fmt.Errorf("%w: %s: both bbolt meta pages are invalid", ErrCorrupt, path)
	}
	ps := uint64(m.pageSize)
	switch {
	case ps < minBoltPageSize || ps&(ps-1) != 0:
		return boltMeta{}, fmt.Errorf("%w: %s: page size %d in the meta page", ErrCorrupt, path, ps)
	case m.pgid < 3 || m.pgid > uint64(size)/ps:
		return boltMeta{}, fmt.Errorf("%w: %s is %d bytes but its meta page says %d pages of %d bytes (truncated?)",
			ErrCorrupt, path, size, m.pgid, ps)
	case m.root < 2 || m.root >= m.pgid:
		return boltMeta{}, fmt.Errorf("%w: %s: root page %d outside the %d pages in use", ErrCorrupt, path, m.root, m.pgid)
	case m.freelist != noFreelist && (m.freelist < 2 || m.freelist >= m.pgid):
		return boltMeta{}, fmt.Errorf("%w: %s: freelist page %d outside the %d pages in use", ErrCorrupt, path, m.freelist, m.pgid)
	}
	return m, nil
}
