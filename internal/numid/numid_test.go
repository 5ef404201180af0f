package numid_test

import (
	"strconv"
	"testing"

	"github.com/a12b7632/elementevents/internal/numid"
)

func TestParse(t *testing.T) {
	tests := []struct {
		id   string
		want uint64
		ok   bool
	}{
		{"0", 0, true},
		{"42", 42, true},
		{"18446744073709551615", 1<<64 - 1, true},
		{"18446744073709551616", 0, false}, // overflows
		{"", 0, false},
		{"007", 0, false}, // would not format back
		{"-1", 0, false},
		{"+1", 0, false},
		{"1e3", 0, false},
		{" 1", 0, false},
		{"abc", 0, false},
	}
	for _, tt := range tests {
		n, ok := numid.Parse(tt.id)
		if n != tt.want || ok != tt.ok {
			t.Errorf("Parse(%q) = %d, %v; want %d, %v", tt.id, n, ok, tt.want, tt.ok)
		}
		if ok && strconv.FormatUint(n, 10) != tt.id {
			t.Errorf("Parse(%q) does not format back", tt.id)
		}
	}
}
