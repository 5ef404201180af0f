package boltstore

import bolt "go.etcd.io/bbolt"

// region is the part of a bucket whose keys start with one tag byte: an
// index or a table of its own, sharing the bucket's B+tree with the
// others. Small regions then share pages, so a transaction that touches
// several of them writes a few pages rather than one per nested bucket.
type region struct {
	b   *bolt.Bucket
	tag byte
}

func (r region) key(k []byte) []byte {
	out := make([]byte, 1+len(k))
	out[0] = r.tag
	copy(out[1:], k)
	return out
}

func (r region) Get(k []byte) []byte           { return r.b.Get(r.key(k)) }
func (r region) Put(k, v []byte) error         { return r.b.Put(r.key(k), v) }
func (r region) Delete(k []byte) error         { return r.b.Delete(r.key(k)) }
func (r region) Cursor() regionCursor          { return regionCursor{c: r.b.Cursor(), tag: r.tag} }
func (r region) NextSequence() (uint64, error) { return r.b.NextSequence() }

// ForEach calls fn for every key of the region, without its tag.
func (r region) ForEach(fn func(k, v []byte) error) error {
	c := r.Cursor()
	for k, v := c.Seek(nil); k != nil; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// regionCursor walks one region; keys come without the tag, and nil past
// the region's end.
type regionCursor struct {
	c   *bolt.Cursor
	tag byte
}

func (rc regionCursor) strip(k, v []byte) ([]byte, []byte) {
	if len(k) == 0 || k[0] != rc.tag {
		return nil, nil
	}
	return k[1:], v
}

func (rc regionCursor) Seek(k []byte) ([]byte, []byte) {
	return rc.strip(rc.c.Seek(append([]byte{rc.tag}, k...)))
}

func (rc regionCursor) Next() ([]byte, []byte) { return rc.strip(rc.c.Next()) }
