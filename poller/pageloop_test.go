package poller_test

// A vendor's pagination must not be able to hold a resource: a next page
// that leads back to one already fetched in the cycle (A → B → A) ends the
// cycle at once, and a walk that never ends stops at the page cap. Either
// way the cycle is an error and its snapshot does not count, so no record
// is reported DELETED.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/poller"
)

// loopAPI serves /items in two pages, A (/items) and B (/items?p=2),
// linked as its style says. Page B links back to A while looping is set,
// and holds record 3 until missing is set. After maxLoop requests it stops
// linking anywhere, so that a poller that does not see the loop still
// ends (with a snapshot that looks complete).
type loopAPI struct {
	style string // "link" or "next-url"

	mu      sync.Mutex
	looping bool
	missing bool
	reqs    int
}

const maxLoop = 50

func (a *loopAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.reqs++
	looping := a.looping && a.reqs < maxLoop
	missing := a.missing
	a.mu.Unlock()

	recs, next := `[{"id": 1}, {"id": 2}]`, "/items?p=2"
	if r.URL.Query().Get("p") == "2" {
		recs, next = `[{"id": 3}]`, ""
		if missing {
			recs = `[]`
		}
		if looping {
			next = "/items"
		}
	}
	body := map[string]any{"items": json.RawMessage(recs)}
	switch {
	case next == "":
	case a.style == "link":
		rw.Header().Set("Link", "<"+next+`>; rel="next"`)
	default:
		body["next"] = next
	}
	_ = json.NewEncoder(rw).Encode(body)
}

func (a *loopAPI) set(looping, missing bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.looping, a.missing, a.reqs = looping, missing, 0
}

func (a *loopAPI) requests() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.reqs
}

// tokenLoop is a Source whose tokens loop: "" → A → B → back to the token
// in loopTo, while looping is set; after maxLoop fetches it ends. Page B
// holds record 3 until missing is set.
type tokenLoop struct {
	loopTo string // "A": A → B → A; "B": B names itself

	mu      sync.Mutex
	looping bool
	missing bool
	reqs    int
}

func (s *tokenLoop) Fetch(_ context.Context, req poller.Request) (*poller.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs++
	p := &poller.Page{Total: -1, TotalPages: -1}
	switch req.Token {
	case "":
		p.Records, p.Next = []json.RawMessage{[]byte(`{"id": 1}`)}, "A"
	case "A":
		p.Records, p.Next = []json.RawMessage{[]byte(`{"id": 2}`)}, "B"
	case "B":
		if !s.missing {
			p.Records = []json.RawMessage{[]byte(`{"id": 3}`)}
		}
		if s.looping && s.reqs < maxLoop {
			p.Next = s.loopTo
		}
	}
	return p, nil
}

func (s *tokenLoop) set(looping, missing bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.looping, s.missing, s.reqs = looping, missing, 0
}

func (s *tokenLoop) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reqs
}

func TestPaginationLoopIsAnError(t *testing.T) {
	t.Parallel()
	type looper interface {
		set(looping, missing bool)
		requests() int
	}
	tests := []struct {
		name     string
		source   func(t *testing.T) (poller.Source, looper)
		maxFetch int // requests of the looping cycle, at most
	}{
		{"link A→B→A", func(t *testing.T) (poller.Source, looper) {
			return httpLoop(t, "link", `{"style": "link"}`)
		}, 3},
		{"next-url A→B→A", func(t *testing.T) (poller.Source, looper) {
			return httpLoop(t, "next-url", `{"style": "next-url", "nextField": "next"}`)
		}, 3},
		{"token A→B→A", func(*testing.T) (poller.Source, looper) {
			s := &tokenLoop{loopTo: "A"}
			return s, s
		}, 3},
		{"token B→B", func(*testing.T) (poller.Source, looper) {
			s := &tokenLoop{loopTo: "B"}
			return s, s
		}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, vendor := tt.source(t)
			sink := &sink{}
			p, err := poller.New(poller.Config{
				Instance: instance(t, `{"url": "/items", "idField": "id", "recordsPath": "items"}`),
				Source:   src, Sink: sink, Clock: clockwork.NewFakeClockAt(t0),
				SingleSnapshotDeletes: true, // one complete snapshot would be enough to delete
			})
			require.NoError(t, err)

			// The baseline knows records 1, 2 and 3.
			vendor.set(false, false)
			res := p.Poll(t.Context())[0]
			require.NoError(t, res.Err)
			require.Equal(t, 3, res.Records)

			// Then record 3 goes, and the pages loop.
			vendor.set(true, true)
			res = p.Poll(t.Context())[0]
			require.ErrorIs(t, res.Err, poller.ErrPageLoop)
			require.ErrorContains(t, res.Err, "customers")
			require.LessOrEqual(t, vendor.requests(), tt.maxFetch, "the loop is seen at once")
			require.False(t, res.Snapshot)
			require.Empty(t, sink.take(), "no DELETED from a walk that looped")

			// A vendor that mends its pagination gets its deletion.
			vendor.set(false, true)
			res = p.Poll(t.Context())[0]
			require.NoError(t, res.Err)
			require.Equal(t, []string{"DELETED 3"}, sink.take())
		})
	}
}

// httpLoop returns an HTTPSource over a loopAPI serving the style.
func httpLoop(t *testing.T, style, pagination string) (poller.Source, *loopAPI) {
	api := &loopAPI{style: style}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	src := customSource(t, `{"key": "pager", "hub": "general", "baseUrl": "{base.url}", "pagination": `+pagination+`}`,
		map[string]string{"base.url": srv.URL}, poller.HTTPConfig{})
	return src, api
}

// endless is a Source whose pages never end: page n names page n+1.
type endless struct {
	mu      sync.Mutex
	fetches int
}

func (s *endless) Fetch(_ context.Context, req poller.Request) (*poller.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fetches++
	n, _ := strconv.Atoi(req.Token)
	return &poller.Page{Records: []json.RawMessage{fmt.Appendf(nil, `{"id": %d}`, n)}, Next: strconv.Itoa(n + 1), Total: -1, TotalPages: -1}, nil
}

func TestPageCap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		maxPages  int
		resources map[string]int
		want      int
	}{
		{"default", 0, nil, 1000},
		{"for all resources", 7, nil, 7},
		{"for the resource", 7, map[string]int{"customers": 3}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := &endless{}
			p, err := poller.New(poller.Config{Instance: instance(t, customersResource), Source: src, Sink: &sink{},
				Clock: clockwork.NewFakeClockAt(t0), MaxPages: tt.maxPages, ResourceMaxPages: tt.resources})
			require.NoError(t, err)
			res := p.Poll(t.Context())[0]
			require.ErrorIs(t, res.Err, poller.ErrTooManyPages)
			require.ErrorIs(t, res.Err, poller.ErrVendor)
			require.ErrorContains(t, res.Err, "customers")
			require.ErrorContains(t, res.Err, strconv.Itoa(tt.want))
			require.Equal(t, tt.want, res.Pages)
			require.Equal(t, tt.want, src.fetches)
		})
	}
}

func TestPageCapConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		maxPages  int
		resources map[string]int
		wantErr   string
	}{
		{"negative", -1, nil, "Config.MaxPages"},
		{"unknown resource", 0, map[string]int{"orders": 5}, `Config.ResourceMaxPages["orders"]`},
		{"zero for a resource", 0, map[string]int{"customers": 0}, `Config.ResourceMaxPages["customers"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := poller.New(poller.Config{Instance: instance(t, customersResource), Source: &endless{}, Sink: &sink{},
				MaxPages: tt.maxPages, ResourceMaxPages: tt.resources})
			require.ErrorIs(t, err, poller.ErrConfig)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}
