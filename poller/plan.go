package poller

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/jsonscan"
	"github.com/a12b7632/elementevents/internal/urltemplate"
	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/javatime"
)

// A resource is compiled once, at New: the Poller compiles what it reads
// of the records (the id and date paths, the dates' Java layouts and
// zones, the window and the page cap), and an HTTPSource what it fetches
// (the URL template, the page size and records path with their defaults
// filled). A cycle and a Fetch only run the plans, so a bad zone or
// pattern fails New, never a poll. Both plans are built in this file, the
// one place the poller calls element's and javatime's compilers.

// plan is what a [Poller] compiles for one resource.
type plan struct {
	name string
	// cfg is the resource as configured: what the Source is asked for.
	cfg element.Resource
	// x reads a record's id and dates at their split paths.
	x *extractor
	// updated and created read the dates, each with its layout and zone.
	updated dateReader
	created dateReader
	// snapshots: the URL has no date filter, so every cycle lists
	// everything.
	snapshots bool
	// maxPages caps the pages of a cycle: Config.ResourceMaxPages, else
	// Config.MaxPages.
	maxPages int
	// back is how far before the watermark a window starts: the
	// resource's pollDelay and Config.Lookback.
	back time.Duration
}

// compilePlan compiles the resource name of cfg's instance; cfg has its
// defaults filled. Errors wrap [ErrConfig] and name the configuration key.
func compilePlan(name string, rc element.Resource, cfg *Config) (*plan, error) {
	p := &plan{
		name:      name,
		cfg:       rc,
		x:         newExtractor(rc.IDField, rc.Dates.UpdatedField, rc.Dates.CreatedField),
		snapshots: !hasDatePlaceholder(rc.URL),
		maxPages:  cmp.Or(cfg.ResourceMaxPages[name], cfg.MaxPages),
		back:      rc.PollDelay + cfg.Lookback,
	}
	key := vocab.KeyPollerConfiguration + "." + name + ".datesConfiguration."
	var err error
	if p.updated, err = newDateReader(rc.Dates.UpdatedFormat, rc.Dates.UpdatedTimezone, key+"updated"); err != nil {
		return nil, err
	}
	if p.created, err = newDateReader(rc.Dates.CreatedFormat, rc.Dates.CreatedTimezone, key+"created"); err != nil {
		return nil, err
	}
	return p, nil
}

// hasDatePlaceholder reports whether a resource URL filters by date, so
// that a cycle sees only changed records rather than a full snapshot.
func hasDatePlaceholder(url string) bool { return strings.Contains(url, "${") }

// dateReader reads a record's date with the configured Java pattern, or,
// when none is configured or the value does not match it, as RFC 3339, a
// zone-less ISO date (in the configured zone), or epoch milliseconds.
type dateReader struct {
	df  *javatime.Layout
	loc *time.Location
}

// newDateReader compiles pattern in zone; key prefixes the names of the
// configuration keys in errors ("...datesConfiguration.updated").
func newDateReader(pattern, zone, key string) (dateReader, error) {
	loc, err := javatime.LoadLocation(zone)
	if err != nil {
		return dateReader{}, fmt.Errorf("%w: %sDateTimezone: %w", ErrConfig, key, err)
	}
	if pattern == "" {
		return dateReader{loc: loc}, nil
	}
	df, err := javatime.NewLayout(pattern, zone)
	if err != nil {
		return dateReader{}, fmt.Errorf("%w: %sDateFormat: %w", ErrConfig, key, err)
	}
	return dateReader{df: df, loc: loc}, nil
}

// read returns the date, or zero when raw is empty or unreadable.
func (d dateReader) read(raw string) (time.Time, bool) {
	if raw == "" {
		return time.Time{}, false
	}
	if d.df != nil {
		if t, err := d.df.Parse(raw); err == nil {
			return t, true
		}
		// Vendors drop parts of their own format (Concur writes a whole
		// second without the .SSS its pattern has): an ISO 8601 reading in
		// the configured zone is better than losing the date.
	}
	for _, layout := range [...]string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, raw, d.loc); err == nil {
			return t, true
		}
	}
	if ms, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64); err == nil {
		return time.UnixMilli(ms), true
	}
	return time.Time{}, false
}

// fetchPlan is what an [HTTPSource] compiles for one resource.
type fetchPlan struct {
	key planKey
	// url is the first page's URL: the vendor path under the base URL
	// unless absolute, with placeholders in the updated date's zone.
	url *urltemplate.Template
	// absolute: url is the resource's own, not under the base URL.
	absolute bool
	// from names the configuration key url comes from, for a refusal.
	from string
	// size is the page size to ask for: the resource's, else the
	// definition's default, capped at its maximum; 0 when none is, or
	// when the pagination has no size parameter.
	size int
	// records is where a page's records are: the resource's records path,
	// else the definition's.
	records jsonscan.Path
	// x holds the id and date paths, looked up in every record in the
	// pass that splits the page.
	x *extractor
}

// planKey is what a fetchPlan is compiled from: the resource's name, which
// errors name, and the fields of its configuration that Fetch reads.
type planKey struct {
	resource, url, zone, recordsPath string
	id, updated, created             string
	pageSize                         int
}

func planKeyOf(req Request) planKey {
	c := req.Config
	return planKey{
		resource: req.Resource, url: c.URL, zone: c.Dates.UpdatedTimezone, recordsPath: c.RecordsPath,
		id: c.IDField, updated: c.Dates.UpdatedField, created: c.Dates.CreatedField,
		pageSize: c.PageSize,
	}
}

// plan returns the plan of req: the one NewHTTPSource compiled for the
// resource, or, for a configuration the instance does not hold (the
// Source interface lets a caller ask for any), one compiled at first use
// and kept.
func (s *HTTPSource) plan(req Request) (*fetchPlan, error) {
	k := planKeyOf(req)
	if p := s.plans[req.Resource]; p != nil && p.key == k {
		return p, nil
	}
	if p, ok := s.others.Load(k); ok {
		return p.(*fetchPlan), nil
	}
	p, err := s.compile(k)
	if err != nil {
		return nil, err
	}
	kept, _ := s.others.LoadOrStore(k, p)
	return kept.(*fetchPlan), nil
}

// compile compiles the plan of k. Errors wrap [ErrConfig] and name the
// configuration key.
func (s *HTTPSource) compile(k planKey) (*fetchPlan, error) {
	s.compiled.Add(1)
	key := vocab.KeyPollerConfiguration + "." + k.resource
	if strings.TrimSpace(k.url) == "" {
		return nil, fmt.Errorf("%w: %s.url: resource url is empty", ErrConfig, key)
	}
	zone := time.UTC
	if k.zone != "" {
		z, err := javatime.LoadLocation(k.zone)
		if err != nil {
			return nil, fmt.Errorf("%w: %s.datesConfiguration.updatedDateTimezone: %w", ErrConfig, key, err)
		}
		zone = z
	}
	p := &fetchPlan{
		key:     k,
		from:    s.baseKey + ": " + k.resource,
		size:    s.pageSize(k.pageSize),
		records: jsonscan.CompilePath(cmp.Or(k.recordsPath, s.def.RecordsPath)),
		x:       newExtractor(k.id, k.updated, k.created),
	}
	raw := s.def.VendorPath(k.url)
	if isAbsoluteURL(raw) {
		p.absolute, p.from = true, resourceURLKey(k.resource)
	} else {
		if !strings.HasPrefix(raw, "/") && !strings.HasPrefix(raw, "?") {
			raw = "/" + raw
		}
		raw = s.base + raw
	}
	var err error
	if p.url, err = urltemplate.Compile(raw, zone); err != nil {
		return nil, fmt.Errorf("%w: %s.url: %w", ErrConfig, key, err)
	}
	return p, nil
}

// pageSize is the page size to ask for, given the resource's: that, else
// the definition's default, capped at its maximum; 0 for none, and when
// the pagination has no size parameter.
func (s *HTTPSource) pageSize(size int) int {
	if s.pag.SizeParam == "" {
		return 0
	}
	if size <= 0 {
		size = s.def.DefaultPageSize
	}
	if m := s.def.MaxPageSize; m > 0 && size > m {
		size = m
	}
	return max(size, 0)
}

// paginationDefaults fills the defaults that element fills in definitions
// it parses, for a definition built as a Go literal.
func paginationDefaults(p element.Pagination) element.Pagination {
	if p.Style == "" {
		p.Style = vocab.PaginationNone
	}
	if p.PageParam == "" {
		p.PageParam = "page"
	}
	if p.FirstPage == 0 && p.Style == vocab.PaginationPage {
		p.FirstPage = 1
	}
	if p.OffsetParam == "" {
		p.OffsetParam = "offset"
	}
	return p
}

func isAbsoluteURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}
