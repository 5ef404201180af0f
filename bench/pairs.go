package main

import (
	"math"

	"golang.org/x/perf/benchmath"
)

// ratioKind says how a pair's ratio is computed and read.
type ratioKind int

const (
	// costRatio is ours/baseline of a cost (time, CPU): below 1 is better.
	costRatio ratioKind = iota
	// speedup is baseline/ours of a time, read "× faster": above 1 is
	// better.
	speedup
	// rateRatio is ours/baseline of a rate: above 1 is better.
	rateRatio
	// single has no baseline: our figure is held against the goal.
	single
)

// pair is one line of the report: our benchmark against a baseline measured
// in the same run, in one unit.
type pair struct {
	// Title says what is compared, in Markdown.
	Title string
	// Ours and Base are benchmark keys (see Results.Values); Base is ""
	// for a single figure.
	Ours, Base string
	// Unit is the compared unit, as benchfmt tidies it.
	Unit string
	Kind ratioKind
	// Goal is the ratio (or, for single, the figure) the issues ask for,
	// 0 when there is none: at most Goal for costRatio and single, at
	// least Goal for speedup and rateRatio.
	Goal float64
	// ZeroAllocs adds "0 allocs/op on our side" to the goal.
	ZeroAllocs bool
	// Issue names the issue that set the goal.
	Issue string
	// Earlier holds the goals earlier issues set for the same comparison
	// before a later one (Issue) tightened it to Goal. The report shows
	// them beside Goal, so that what each issue asked stays visible; Goal
	// alone decides "met?". Each is looser than Goal (TestPairGoals).
	Earlier []earlierGoal
}

// earlierGoal is a goal that a later issue tightened.
type earlierGoal struct {
	Goal  float64
	Issue string
}

// pairs are the comparisons of the report, in its order. The keys are the
// benchmarks of jobs.
var pairs = []pair{
	{Title: "Date parse of a WooCommerce date: `javatime.Layout.Parse` vs `time.Parse`",
		Ours: "LayoutParse/ours", Base: "LayoutParse/time.Parse", Unit: "sec/op",
		Kind: costRatio, Goal: 1.3, ZeroAllocs: true, Issue: "#2"},
	{Title: "Poll cycle, 10,000 WooCommerce customers, nothing changed vs typed `json.Unmarshal` of the same page",
		Ours: "PollCycle/cycle/steady", Base: "PollCycle/json.Unmarshal", Unit: "sec/op",
		Kind: costRatio, Goal: 0.4, Issue: "#15"},
	{Title: "Poll cycle, 10,000 customers all new (first run, EmitAll) vs typed `json.Unmarshal`",
		Ours: "PollCycle/cycle/first-seen", Base: "PollCycle/json.Unmarshal", Unit: "sec/op",
		Kind: costRatio},
	{Title: "Poller state per record at 1,000,000 records, numeric ids",
		Ours: "StateBytesPerRecord/numeric-ids", Unit: "B/record", Kind: single, Goal: 64, Issue: "#4"},
	{Title: "Poller state per record at 1,000,000 records, 20-character string ids",
		Ours: "StateBytesPerRecord/string-ids", Unit: "B/record", Kind: single},
	{Title: "Steady poll cycle of 1,000,000 WooCommerce customers, 100 a page, nothing changed: bytes allocated per record (page bodies included)",
		Ours: "PollScale/records=1000000", Unit: "alloc-B/record", Kind: single, Goal: 64, Issue: "#19"},
	{Title: "Steady poll cycle, time per record: 1,000,000 records vs 1,000 (flat is 1×)",
		Ours: "PollScale/records=1000000", Base: "PollScale/records=1000", Unit: "sec/record",
		Kind: costRatio, Goal: 1.15, Issue: "#19"},
	{Title: "Signature verify, 1 KiB: ours vs the Standard Webhooks Go library",
		Ours: "VerifyStandard/1KiB/ours", Base: "VerifyStandard/1KiB/standard-webhooks", Unit: "sec/op",
		Kind: speedup, Goal: 2, ZeroAllocs: true, Issue: "#3"},
	{Title: "Signature verify, 64 KiB: ours vs the Standard Webhooks Go library",
		Ours: "VerifyStandard/64KiB/ours", Base: "VerifyStandard/64KiB/standard-webhooks", Unit: "sec/op",
		Kind: speedup},
	{Title: "Signature verify, 1 KiB: ours vs the Svix Go library",
		Ours: "VerifyStandard/1KiB/ours", Base: "VerifyStandard/1KiB/svix", Unit: "sec/op",
		Kind: speedup},
	{Title: "Signature verify, 64 KiB: ours vs the Svix Go library",
		Ours: "VerifyStandard/64KiB/ours", Base: "VerifyStandard/64KiB/svix", Unit: "sec/op",
		Kind: speedup},
	{Title: "Notifier deliveries/s (outbox, signing, bookkeeping) vs a bare `http.Client` loop, loopback",
		Ours: "Delivery/notifier", Base: "Delivery/bare-client", Unit: "deliveries/s",
		Kind: rateRatio, Goal: 0.9, Issue: "#3"},
	{Title: "Notifier CPU per delivery (whole process, receiver included) vs the bare loop",
		Ours: "Delivery/notifier", Base: "Delivery/bare-client", Unit: "cpu-µs/delivery",
		Kind: costRatio},
	{Title: "The bare loop signing each request in both schemes, as the Notifier does, vs the bare loop: the cost of signing",
		Ours: "Delivery/bare-client-signed", Base: "Delivery/bare-client", Unit: "deliveries/s",
		Kind: rateRatio},
	{Title: "Notifier deliveries/s vs the bare loop that signs: the cost of the Notifier's own machinery",
		Ours: "Delivery/notifier", Base: "Delivery/bare-client-signed", Unit: "deliveries/s",
		Kind: rateRatio, Goal: 0.95, Issue: "#15"},
	{Title: "Notifier CPU per delivery vs the bare loop that signs",
		Ours: "Delivery/notifier", Base: "Delivery/bare-client-signed", Unit: "cpu-µs/delivery",
		Kind: costRatio},
	{Title: "riverstore deliveries/s through River and PostgreSQL (signing, order, endpoint state) vs a bare River worker that only POSTs, same River settings and workers, loopback",
		Ours: "Delivery/River", Base: "Delivery/River-bare", Unit: "notifications/s",
		Kind: rateRatio, Goal: 0.8, Issue: "#19"},
	{Title: "Webhook `Handler` req/s (verify, normalize, dedupe, hand-off) vs a bare handler, loopback",
		Ours: "HandlerThroughput/handler", Base: "HandlerThroughput/bare", Unit: "req/s",
		Kind: rateRatio, Goal: 0.95, Issue: "#19", Earlier: []earlierGoal{{Goal: 0.9, Issue: "#5"}}},
	{Title: "Webhook `Handler` req/s with dedupe off vs a bare handler",
		Ours: "HandlerThroughput/handler-nodedupe", Base: "HandlerThroughput/bare", Unit: "req/s",
		Kind: rateRatio},
	{Title: "The bare handler verifying the WooCommerce signature with `signature`, as the Handler does, vs the bare handler: the cost of verifying",
		Ours: "HandlerThroughput/bare-verify", Base: "HandlerThroughput/bare", Unit: "req/s",
		Kind: rateRatio},
	{Title: "Webhook `Handler` req/s vs the bare handler that verifies: the cost of the Handler's own machinery",
		Ours: "HandlerThroughput/handler", Base: "HandlerThroughput/bare-verify", Unit: "req/s",
		Kind: rateRatio},
	{Title: "Webhook `Handler` CPU per request (whole process, client included) vs the bare handler",
		Ours: "HandlerThroughput/handler", Base: "HandlerThroughput/bare", Unit: "cpu-µs/req",
		Kind: costRatio},
	{Title: "Webhook `Handler` CPU per request vs the bare handler that verifies",
		Ours: "HandlerThroughput/handler", Base: "HandlerThroughput/bare-verify", Unit: "cpu-µs/req",
		Kind: costRatio},
	{Title: "Heap per idle polling instance, 10,000 in a running `engine.Engine` (one resource of 3 records each, vendor stubbed as a `poller.Source`)",
		Ours: "IdleInstances/engine", Unit: "B/instance", Kind: single, Goal: 16 << 10, Issue: "#17"},
	{Title: "Heap per idle polling instance: the engine vs bare `element.Parse` + `poller.New` (same stub): the engine's share",
		Ours: "IdleInstances/engine", Base: "IdleInstances/bare-poller", Unit: "B/instance", Kind: costRatio},
	{Title: "Heap per idle polling instance, 10,000 in a running `engine.Engine` polling the fake WooCommerce over loopback HTTP (the default HTTP source; the store's side included)",
		Ours: "IdleInstances/engine-http", Unit: "B/instance", Kind: single, Goal: 16 << 10, Issue: "#17"},
	{Title: "Heap per idle polling instance over HTTP: the engine vs bare `element.Parse` + `poller.New` sharing one transport as the engine's pollers do",
		Ours: "IdleInstances/engine-http", Base: "IdleInstances/bare-poller-http", Unit: "B/instance", Kind: costRatio},
	{Title: "One scheduling minute of 10,000 instances polled every minute (stub vendor): real time until every instance polled",
		Ours: "SchedulingMinute/engine", Unit: "s/minute", Kind: single, Goal: 60, Issue: "#17"},
	{Title: "Scheduling minute, cycles/s: the engine vs the same `Poll` calls from a plain pool of 16 workers (stub vendor)",
		Ours: "SchedulingMinute/engine", Base: "SchedulingMinute/worker-pool", Unit: "cycles/s", Kind: rateRatio},
	{Title: "One scheduling minute of 10,000 instances polling the fake WooCommerce over loopback HTTP: real time until every instance polled",
		Ours: "SchedulingMinute/engine-http", Unit: "s/minute", Kind: single, Goal: 60, Issue: "#17"},
	{Title: "Scheduling minute over loopback HTTP to the fake WooCommerce (10,000 instances), cycles/s: the engine vs the plain pool",
		Ours: "SchedulingMinute/engine-http", Base: "SchedulingMinute/worker-pool-http", Unit: "cycles/s", Kind: rateRatio},
	{Title: "`Engine.Create` of one polling instance into an engine holding 10,000 vs `InstanceStore.Create` of its record alone (memory store)",
		Ours: "Create/engine", Base: "Create/store", Unit: "sec/op", Kind: costRatio},
	{Title: "`GET /instances?limit=100` over 10,000 instances of one tenant in a bbolt file, through `api.Handler`: p99 of a request",
		Ours: "ListInstances/handler", Unit: "p99-us", Kind: single, Goal: 5000, Issue: "#17"},
	{Title: "`GET /instances?limit=100&after=` the 9,000th id, same store: p99 of a request",
		Ours: "ListInstances/handler-deep", Unit: "p99-us", Kind: single, Goal: 5000, Issue: "#17"},
	{Title: "`GET /instances?limit=100`, p50: the handler vs `InstanceStore.List` of the same page from the same file",
		Ours: "ListInstances/handler", Base: "ListInstances/store", Unit: "p50-us", Kind: costRatio},
	{Title: "`GET /instances/{id}/events?limit=100`, the newest page of one of 100 instances, over 1,000,000 notifications in a bbolt file: p99 of a request",
		Ours: "ListEvents/handler", Unit: "p99-us", Kind: single, Goal: 10000, Issue: "#17"},
	{Title: "`GET /instances/{id}/events?limit=100` from a cursor 9,000 notifications deep, same log: p99 of a request",
		Ours: "ListEvents/handler-deep", Unit: "p99-us", Kind: single, Goal: 10000, Issue: "#17"},
	{Title: "`GET /instances/{id}/events?limit=100`, p50: the handler vs `EventLog.List` of the same page from the same file",
		Ours: "ListEvents/handler", Base: "ListEvents/store", Unit: "p50-us", Kind: costRatio},
	{Title: "Console event log page (`GET /console/events`, the newest 100 of 1,000,000 notifications in a bbolt file, through `console.Handler`): p99 server time",
		Ours: "EventLogPage/handler", Unit: "p99-us", Kind: single, Goal: 20000, Issue: "#18"},
	{Title: "Console event log page: its size",
		Ours: "EventLogPage/handler", Unit: "B/page", Kind: single, Goal: 50 << 10, Issue: "#18"},
	{Title: "Console event log page filtered to DEAD (one in ten), same log: p99 server time",
		Ours: "EventLogPage/handler-dead", Unit: "p99-us", Kind: single, Goal: 20000, Issue: "#18"},
	{Title: "Console event log page, p50: the handler vs `Engine.Events` of the same 100 notifications",
		Ours: "EventLogPage/handler", Base: "EventLogPage/engine", Unit: "p50-us", Kind: costRatio},
}

// verdict says whether a goal was met.
type verdict int

const (
	noGoal verdict = iota
	met
	notMet
	unknown // a figure is missing
)

// row is a pair evaluated on a run.
type row struct {
	pair
	ours, base         stat
	haveOurs, haveBase bool
	// allocs is the median allocs/op of our side, when reported.
	allocs     float64
	haveAllocs bool
	// ratio is as Kind says; NaN when a side is missing.
	ratio float64
	// cmp compares the two samples (Mann-Whitney U).
	cmp     benchmath.Comparison
	verdict verdict
	// baseRes holds the baseline's other units.
	baseRes *Results
}

// evaluate computes every pair's row on res.
func evaluate(res *Results) []row {
	rows := make([]row, 0, len(pairs))
	for _, p := range pairs {
		r := row{pair: p, ratio: math.NaN(), baseRes: res}
		r.ours, r.haveOurs = res.get(p.Ours, p.Unit)
		r.allocs, r.haveAllocs = res.median(p.Ours, "allocs/op")
		if p.Base != "" {
			r.base, r.haveBase = res.get(p.Base, p.Unit)
		}
		o, b := r.ours.summary.Center, r.base.summary.Center
		switch {
		case !r.haveOurs:
		case p.Kind == single:
			r.ratio = o
		case !r.haveBase:
		case p.Kind == speedup:
			r.ratio = b / o
		default:
			r.ratio = o / b
		}
		if r.haveOurs && r.haveBase {
			r.cmp = benchmath.AssumeNothing.Compare(r.ours.sample, r.base.sample)
		}
		r.verdict = judge(r)
		rows = append(rows, r)
	}
	return rows
}

// baseAllocs returns the median allocs/op of the baseline, when reported.
func (r row) baseAllocs() (float64, bool) {
	if r.baseRes == nil {
		return 0, false
	}
	return r.baseRes.median(r.Base, "allocs/op")
}

// judge says whether r meets its goal.
func judge(r row) verdict {
	if r.Goal == 0 {
		return noGoal
	}
	if math.IsNaN(r.ratio) || math.IsInf(r.ratio, 0) || r.ZeroAllocs && !r.haveAllocs {
		return unknown
	}
	ok := meets(r.Kind, r.ratio, r.Goal)
	if r.ZeroAllocs && r.allocs != 0 {
		ok = false
	}
	if ok {
		return met
	}
	return notMet
}

// meets reports whether ratio, of a pair of kind k, meets goal: at least
// goal for speedup and rateRatio, at most goal for the others.
func meets(k ratioKind, ratio, goal float64) bool {
	if k == speedup || k == rateRatio {
		return ratio >= goal
	}
	return ratio <= goal
}

// earlierMet returns the issues of r's earlier goals that its ratio meets,
// for a row that does not meet Goal.
func (r row) earlierMet() []string {
	var issues []string
	if r.verdict != notMet || r.ZeroAllocs && r.allocs != 0 {
		return nil
	}
	for _, e := range r.Earlier {
		if meets(r.Kind, r.ratio, e.Goal) {
			issues = append(issues, e.Issue)
		}
	}
	return issues
}
