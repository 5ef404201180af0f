// Package numid tells record ids that can be kept as numbers: stores keep
// them in 8 bytes instead of a string, and format them back unchanged.
//
//	if n, ok := numid.Parse(id); ok { /* keep n */ }
package numid

import "strconv"

// Parse returns id as a number when it is a canonical decimal integer that
// fits a uint64 (no sign, no leading zero), so that
// strconv.FormatUint(n, 10) gives id back.
func Parse(id string) (uint64, bool) {
	if id == "" || len(id) > 20 || (id[0] == '0' && len(id) > 1) {
		return 0, false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return 0, false // too large for a uint64
	}
	return n, true
}
