package element

import (
	"fmt"
	"strings"
)

// parseLegacyURLs reads the legacy event.poller.urls format, described on
// Events.Resources, into resources by name. Errors wrap [ErrLegacyURLs]
// and name the entry.
func parseLegacyURLs(s string) (map[string]Resource, error) {
	entries := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' || r == '\r' })
	out := make(map[string]Resource, len(entries))
	n := 0
	for _, entry := range entries {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		n++
		f := strings.Split(entry, "|")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		if len(f) < 3 || len(f) > 9 {
			return nil, fmt.Errorf("%w: entry %d %s: want resource|url|idPath and up to six date fields, got %d fields", ErrLegacyURLs, n, quote(entry), len(f))
		}
		if f[0] == "" || f[1] == "" || f[2] == "" {
			return nil, fmt.Errorf("%w: entry %d %s: resource, url and idPath are required", ErrLegacyURLs, n, quote(entry))
		}
		if _, dup := out[f[0]]; dup {
			return nil, fmt.Errorf("%w: entry %d: resource %s appears twice", ErrLegacyURLs, n, quote(f[0]))
		}
		f = append(f, make([]string, 9-len(f))...)
		out[f[0]] = Resource{
			URL:                 f[1],
			IDField:             dottedPath(f[2]),
			FilterByUpdatedDate: true,
			Dates: Dates{
				UpdatedField: f[3], UpdatedFormat: f[4], UpdatedTimezone: f[5],
				CreatedField: f[6], CreatedFormat: f[7], CreatedTimezone: f[8],
			},
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: no entries", ErrLegacyURLs)
	}
	return out, nil
}

// dottedPath turns "/a/b", "$.a.b" or "a/b" into "a.b".
func dottedPath(p string) string {
	p = strings.TrimPrefix(p, "$")
	p = strings.ReplaceAll(p, "/", ".")
	return strings.Trim(p, ".")
}
