package main

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
)

// Results holds the measurements of a run: per benchmark and unit, one value
// per round, in the order read.
type Results struct {
	// Values maps a benchmark key (its name without the "Benchmark"
	// prefix and the -GOMAXPROCS suffix, e.g. "PollCycle/cycle/steady")
	// to its units (as benchfmt tidies them: "sec/op", "B/op",
	// "deliveries/s") and their values.
	Values map[string]map[string][]float64
	// Order lists the benchmark keys in the order first read.
	Order []string
	// CPU is the value of the last "cpu:" line read.
	CPU string
	// Procs is the GOMAXPROCS suffix of the last result read, 0 if none.
	Procs string
}

// parseResults reads go test -bench output (any number of runs,
// concatenated) from r. Lines that are not results or configuration are
// ignored; a malformed result line is an error naming its line.
func parseResults(r io.Reader, name string) (*Results, error) {
	res := &Results{Values: map[string]map[string][]float64{}}
	pkgOf := map[string]string{} // the package each key came from
	br := benchfmt.NewReader(r, name)
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			return nil, fmt.Errorf("bench: %w", rec)
		case *benchfmt.Result:
			key, procs := benchKey(rec.Name)
			// Keys leave the package out: two packages' benchmarks of one
			// name (notify's and riverstore's Delivery) must not merge.
			if pkg := rec.GetConfig("pkg"); pkg != "" {
				if was, ok := pkgOf[key]; ok && was != pkg {
					return nil, fmt.Errorf("bench: %s: benchmark %s comes from both %s and %s; give one of them another name", name, key, was, pkg)
				}
				pkgOf[key] = pkg
			}
			if cpu := rec.GetConfig("cpu"); cpu != "" {
				res.CPU = cpu
			}
			if procs != "" {
				res.Procs = procs
			}
			units, ok := res.Values[key]
			if !ok {
				units = map[string][]float64{}
				res.Values[key] = units
				res.Order = append(res.Order, key)
			}
			for _, v := range rec.Values {
				units[v.Unit] = append(units[v.Unit], v.Value)
			}
		}
	}
	if err := br.Err(); err != nil {
		return nil, fmt.Errorf("bench: read %s: %w", name, err)
	}
	return res, nil
}

// benchKey returns the key of a benchmark name, "PollCycle/cycle/steady"
// for "BenchmarkPollCycle/cycle/steady-2", and its GOMAXPROCS suffix.
func benchKey(n benchfmt.Name) (key, procs string) {
	base, parts := n.Parts()
	var b strings.Builder
	b.Write(base)
	for _, p := range parts {
		if len(p) > 1 && p[0] == '-' {
			procs = string(p[1:])
			continue
		}
		b.Write(p)
	}
	return b.String(), procs
}

// stat is the summary of one benchmark's values in one unit.
type stat struct {
	sample  *benchmath.Sample
	summary benchmath.Summary
}

// confidence is the level of the confidence intervals in the report.
const confidence = 0.95

// get returns the summary of key's values in unit, and whether there are
// any.
func (r *Results) get(key, unit string) (stat, bool) {
	vals := r.Values[key][unit]
	if len(vals) == 0 {
		return stat{}, false
	}
	s := benchmath.NewSample(append([]float64(nil), vals...), &benchmath.DefaultThresholds)
	return stat{sample: s, summary: benchmath.AssumeNothing.Summary(s, confidence)}, true
}

// median returns the median of key's values in unit, and whether there are
// any.
func (r *Results) median(key, unit string) (float64, bool) {
	st, ok := r.get(key, unit)
	return st.summary.Center, ok
}

// units returns the units of key in a fixed order: time first, then the
// custom metrics, then memory.
func (r *Results) units(key string) []string {
	rank := func(u string) int {
		switch u {
		case "sec/op":
			return 0
		case "B/op":
			return 3
		case "allocs/op":
			return 4
		case "B/s":
			return 2
		}
		return 1
	}
	us := slices.Collect(maps.Keys(r.Values[key]))
	slices.SortFunc(us, func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b))
	})
	return us
}
