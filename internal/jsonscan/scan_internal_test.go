package jsonscan

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// TestSpecialMask holds the lowest flag of specialMask to the first byte
// that is '"', '\\' or a control character, for every byte value in every
// position among bytes that are none of them, and for random words.
func TestSpecialMask(t *testing.T) {
	special := func(c byte) bool { return c == '"' || c == '\\' || c < 0x20 }
	want := func(w [8]byte) int {
		for i, c := range w {
			if special(c) {
				return i
			}
		}
		return 8
	}
	check := func(w [8]byte) {
		t.Helper()
		got := 8
		if m := specialMask(binary.LittleEndian.Uint64(w[:])); m != 0 {
			got = bits.TrailingZeros64(m) >> 3
		}
		if got != want(w) {
			t.Fatalf("specialMask(%q): first flag at %d, want %d", w[:], got, want(w))
		}
	}
	for _, fill := range []byte{'a', ' ', 0x7f, 0x80, 0xa2, 0xdc, 0xff, '#', '[', ']'} {
		for pos := range 8 {
			for c := range 256 {
				var w [8]byte
				for i := range w {
					w[i] = fill
				}
				w[pos] = byte(c)
				check(w)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1_000_000 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], r.Uint64())
		check(w)
	}
}
