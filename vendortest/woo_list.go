package vendortest

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// wooResource is how the store lists one of its resources.
type wooResource struct {
	topic string // the resource of its webhook topics: "customer"
	// orderby holds the orderby values the resource accepts.
	orderby        map[string]func(a, b wooRecord) int
	defaultOrderby string
	descByDefault  bool
	// dateFilters: after, before, modified_after and modified_before.
	dateFilters bool
	// pastEndError: a page past the last is an error (WordPress posts,
	// such as orders), not an empty list (users, such as customers).
	pastEndError bool
}

func byID(a, b wooRecord) int { return cmp.Compare(a.recordID(), b.recordID()) }

func byCreated(a, b wooRecord) int {
	ac, _ := a.dates()
	bc, _ := b.dates()
	return cmp.Or(ac.Compare(bc), byID(a, b))
}

// wooResources are the resources the store serves, by path under
// WooAPIPath.
var wooResources = map[string]*wooResource{
	"customers": {
		topic: "customer",
		orderby: map[string]func(a, b wooRecord) int{
			"name": func(a, b wooRecord) int {
				ac, bc := a.(Customer), b.(Customer)
				return cmp.Or(cmp.Compare(ac.FirstName+" "+ac.LastName, bc.FirstName+" "+bc.LastName), byID(a, b))
			},
			"id": byID, "include": byID, "registered_date": byCreated,
		},
		defaultOrderby: "name",
	},
	"orders": {
		topic: "order",
		orderby: map[string]func(a, b wooRecord) int{
			"date": byCreated, "id": byID, "include": byID,
			"modified": func(a, b wooRecord) int {
				_, am := a.dates()
				_, bm := b.dates()
				return cmp.Or(am.Compare(bm), byID(a, b))
			},
		},
		defaultOrderby: "date",
		descByDefault:  true,
		dateFilters:    true,
		pastEndError:   true,
	},
}

// invalidParam is WordPress's answer to a bad query parameter.
func invalidParam(name, why string) *wpError {
	return &wpError{http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): " + name, map[string]string{name: why}}
}

// pageParams reads page and per_page.
func pageParams(q url.Values) (page, perPage int, e *wpError) {
	read := func(name string, def, hi int) (int, *wpError) {
		v := q.Get(name)
		if v == "" {
			return def, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > hi {
			return 0, invalidParam(name, fmt.Sprintf("%s must be between 1 (inclusive) and %d (inclusive)", name, hi))
		}
		return n, nil
	}
	if page, e = read("page", 1, 1<<31-1); e != nil {
		return 0, 0, e
	}
	perPage, e = read("per_page", 10, 100)
	return page, perPage, e
}

// sorter returns the order q asks for.
func (res *wooResource) sorter(q url.Values) (func(a, b wooRecord) int, *wpError) {
	orderby := cmp.Or(q.Get("orderby"), res.defaultOrderby)
	by, ok := res.orderby[orderby]
	if !ok {
		return nil, invalidParam("orderby", "orderby is not one of "+strings.Join(slices.Sorted(maps.Keys(res.orderby)), ", ")+".")
	}
	desc := res.descByDefault
	switch q.Get("order") {
	case "":
	case "asc":
		desc = false
	case "desc":
		desc = true
	default:
		return nil, invalidParam("order", "order is not one of asc, desc.")
	}
	if desc {
		return func(a, b wooRecord) int { return by(b, a) }, nil
	}
	return by, nil
}

// filter returns the date filters q asks for, read in the site's zone or,
// with dates_are_gmt, in GMT. MySQL keeps dates to the second, so they
// are compared to the second.
func (res *wooResource) filter(q url.Values, site *time.Location) (func(wooRecord) bool, *wpError) {
	if !res.dateFilters {
		return func(wooRecord) bool { return true }, nil
	}
	loc := site
	if gmt := q.Get("dates_are_gmt"); gmt == "true" || gmt == "1" {
		loc = time.UTC
	}
	type bound struct {
		modified, after bool
		at              time.Time
	}
	var bounds []bound
	for _, p := range []struct {
		name            string
		modified, after bool
	}{{"after", false, true}, {"before", false, false}, {"modified_after", true, true}, {"modified_before", true, false}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		at, err := time.ParseInLocation(WooDateLayout, v, loc)
		if err != nil {
			if at, err = time.Parse(time.RFC3339, v); err != nil {
				return nil, invalidParam(p.name, "Invalid date.")
			}
		}
		bounds = append(bounds, bound{p.modified, p.after, at})
	}
	return func(r wooRecord) bool {
		created, modified := r.dates()
		for _, b := range bounds {
			t := created
			if b.modified {
				t = modified
			}
			t = t.Truncate(time.Second)
			if (b.after && !t.After(b.at)) || (!b.after && !t.Before(b.at)) {
				return false
			}
		}
		return true
	}, nil
}

// list answers a request for a page of res.
func (s *WooCommerce) list(w http.ResponseWriter, r *http.Request, entry *LoggedRequest, res *wooResource, page, perPage int, f *Fault) {
	q := entry.Query
	less, e := res.sorter(q)
	if e != nil {
		s.fail(w, *e)
		return
	}
	keep, e := res.filter(q, s.site)
	if e != nil {
		s.fail(w, *e)
		return
	}

	s.mu.Lock()
	all := make([]wooRecord, 0, len(s.records[entry.Resource]))
	for _, rec := range s.records[entry.Resource] {
		if keep(rec) {
			all = append(all, rec)
		}
	}
	slices.SortFunc(all, less)
	total := len(all)
	pages := (total + perPage - 1) / perPage
	if res.pastEndError && page > pages && total > 0 {
		s.mu.Unlock()
		s.fail(w, wpError{http.StatusBadRequest, "rest_post_invalid_page_number",
			"The page number requested is larger than the number of pages available.", nil})
		return
	}
	lo, hi := min((page-1)*perPage, total), min(page*perPage, total)
	served := all[lo:hi]
	switch {
	case f != nil && f.Empty:
		served = nil
	case f != nil && f.Overlap && page > 1 && lo > 0 && lo < total:
		served = append([]wooRecord{all[lo-1]}, served...)
	}
	home := s.URL() + "/"
	items := make([]any, len(served))
	for i, rec := range served {
		items[i] = rec.wire(home, s.site)
		entry.IDs = append(entry.IDs, strconv.Itoa(rec.recordID()))
	}
	s.mu.Unlock()

	body := s.encodeJSON(w, items)
	if body == nil {
		return
	}
	h := w.Header()
	if f == nil || !f.NoTotals {
		h.Set(wooHeaderTotal, strconv.Itoa(total))
		h.Set(wooHeaderTotalPages, strconv.Itoa(pages))
	}
	base, path := origin(r)
	at := func(p int) string {
		v := maps.Clone(q)
		v.Set("page", strconv.Itoa(p))
		return base + path + "?" + v.Encode()
	}
	var links []string
	if page > 1 && pages > 0 {
		links = append(links, `<`+at(min(page-1, pages))+`>; rel="prev"`)
	}
	if page < pages {
		entry.Next = at(page + 1)
		links = append(links, `<`+entry.Next+`>; rel="next"`)
	}
	if len(links) > 0 {
		h.Set("Link", strings.Join(links, ", "))
	}
	writeBody(w, body, f)
}

// origin returns the scheme and host r was sent to, and the path it was
// sent for: the path before any http.StripPrefix, so that the links a
// fake mounted under a prefix writes lead back to it.
func origin(r *http.Request) (base, path string) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	path = r.URL.Path
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil && u.Path != "" {
		path = u.Path
	}
	return scheme + "://" + r.Host, path
}
