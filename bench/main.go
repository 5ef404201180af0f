// Command bench runs every benchmark pair of the library in one invocation
// and writes BENCHMARKS.md at the repository root: for each pair our figure,
// the baseline's from the same run, their ratio against the goal the issues
// set, a table of poll-cycle cost by resource size, the statistics behind
// them and the machine they were measured on.
//
// From the repository root, on a quiet machine:
//
//	go run ./bench -count 6
//
// It compiles each package's tests once, then runs -count rounds; each
// round runs every benchmark once in a fresh test process, so that the two
// sides of a pair (sub-benchmarks of one benchmark) run back to back in
// every round and machine noise hits both alike. `go test -count N` would
// run all N samples of one side before the other. The statistics (medians,
// 95% confidence intervals, Mann-Whitney U tests) come from
// golang.org/x/perf's benchfmt and benchmath, the library behind benchstat.
//
// -quick is a smoke run (one short round, the 100k and 1M scaling sizes
// skipped) that prints the report to standard output unless -o is given.
package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// job is one benchmark run of one package per round.
type job struct {
	// pkg is the package directory under the module root.
	pkg string
	// bench is the -test.bench pattern; quick, when not "", replaces it
	// in -quick runs.
	bench, quick string
	// benchtime, when not "", is the job's -test.benchtime in every run,
	// in place of the -benchtime flag: a fixed count (such as "1x") for
	// a benchmark whose iteration is a whole experiment.
	benchtime string
	// postgres says the benchmark needs the PostgreSQL server of the
	// riverstore tests: the run starts it first (scripts/postgres-up) and
	// fails if it cannot, and the benchmark fails rather than skips
	// without it.
	postgres bool
}

// jobs run in this order in every round; the long scaling run comes last.
var jobs = []job{
	{pkg: "javatime", bench: "^BenchmarkLayoutParse$"},
	{pkg: "poller", bench: "^BenchmarkPollCycle$"},
	{pkg: "poller", bench: "^BenchmarkStateBytesPerRecord$"},
	{pkg: "interop", bench: "^BenchmarkVerifyStandard$"},
	{pkg: "notify", bench: "^BenchmarkDelivery$"},
	{pkg: "webhook", bench: "^BenchmarkHandlerThroughput$"},
	// Through River and PostgreSQL, and the bare River worker; not the
	// in-memory Notifier beside them, which notify's job measures. A
	// fixed count: each run sets up a database schema and River first.
	{pkg: "riverstore", bench: "^BenchmarkDelivery$/^River", benchtime: "3000x", postgres: true},
	// One iteration builds 10,000 instances and measures them.
	{pkg: "engine", bench: "^BenchmarkIdleInstances$", benchtime: "1x"},
	{pkg: "engine", bench: "^BenchmarkSchedulingMinute$"},
	// 1,000 creates: the engine grows from 10,000 instances to 11,000.
	{pkg: "engine", bench: "^BenchmarkCreate$", benchtime: "1000x"},
	// Over the bbolt files of internal/benchdata, built once a run (see
	// benchCacheEnv).
	{pkg: "api", bench: "^BenchmarkListInstances$"},
	{pkg: "api", bench: "^BenchmarkListEvents$"},
	{pkg: "console", bench: "^BenchmarkEventLogPage$"},
	{pkg: "poller", bench: "^BenchmarkPollScale$", quick: "^BenchmarkPollScale$/^records=(1000|10000)$"},
}

// benchCacheEnv names the directory where benchmarks keep the store files
// they build (internal/benchdata): the 1,000,000-notification event log
// takes some 20 s to build. A run sets it, for its test processes, to a
// directory of its own that it removes at the end, unless it is set
// already: then the files are kept there for later runs.
const benchCacheEnv = "ELEMENTEVENTS_BENCH_CACHE"

// requirePostgresEnv makes the riverstore tests fail, not skip, when
// PostgreSQL does not answer.
const requirePostgresEnv = "ELEMENTEVENTS_REQUIRE_POSTGRES"

// minRounds is the fewest rounds benchmath gives a 95% confidence interval
// for.
const minRounds = 6

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	count     int
	quick     bool
	benchtime string
	out       string
	raw       string
	timeout   time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.count, "count", minRounds, "rounds: samples per benchmark (at least 6 for confidence intervals)")
	fs.BoolVar(&o.quick, "quick", false, "smoke run: 1 round, -benchtime 100ms, scaling up to 10k records; prints the report unless -o is set")
	fs.StringVar(&o.benchtime, "benchtime", "", "-test.benchtime of each benchmark (default 1s, 100ms with -quick)")
	fs.StringVar(&o.out, "o", "", "report file, - for standard output (default BENCHMARKS.md at the module root, - with -quick)")
	fs.StringVar(&o.raw, "raw", "", "also write the raw go test output of every round to this file")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Minute, "-test.timeout of each test process")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("bench: unexpected arguments %q", fs.Args())
	}
	countSet := false
	fs.Visit(func(f *flag.Flag) { countSet = countSet || f.Name == "count" })
	if o.quick && !countSet {
		o.count = 1
	}
	if o.count < 1 {
		return o, fmt.Errorf("bench: -count must be at least 1, got %d", o.count)
	}
	if o.benchtime == "" {
		o.benchtime = "1s"
		if o.quick {
			o.benchtime = "100ms"
		}
	}
	if o.out == "" && o.quick {
		o.out = "-"
	}
	return o, nil
}

// command returns the command line that reproduces a run with o.
func (o options) command() string {
	c := "go run ./bench"
	if o.quick {
		c += " -quick"
	}
	if !o.quick || o.count != 1 {
		c += " -count " + strconv.Itoa(o.count)
	}
	if o.benchtime != "1s" && !(o.quick && o.benchtime == "100ms") {
		c += " -benchtime " + o.benchtime
	}
	return c
}

func run(args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if o.count < minRounds && !o.quick {
		fmt.Fprintf(stderr, "bench: warning: %d rounds give no confidence intervals; use -count %d or more\n", o.count, minRounds)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	if o.out == "" {
		o.out = filepath.Join(root, "BENCHMARKS.md")
	}
	bin, err := os.MkdirTemp("", "elementevents-bench-")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(bin)
	env := os.Environ()
	if os.Getenv(benchCacheEnv) == "" {
		cache := filepath.Join(bin, "data")
		if err := os.Mkdir(cache, 0o700); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		env = append(env, benchCacheEnv+"="+cache)
	}

	meta := Meta{Command: o.command(), Rounds: o.count, Benchtime: o.benchtime, Quick: o.quick,
		Machine: readMachine(), Start: time.Now(), LoadBefore: loadAverage()}
	meta.Versions, err = moduleVersions(ctx, root, modStandardWebhooks, modSvix, modPerf)
	if err != nil {
		return err
	}

	if needsPostgres() {
		if err := postgresUp(ctx, root, stderr); err != nil {
			return err
		}
		env = append(env, requirePostgresEnv+"=1")
	}

	for _, pkg := range packages() {
		fmt.Fprintf(stderr, "bench: building %s tests\n", pkg)
		cmd := exec.CommandContext(ctx, "go", "test", "-c", "-o", testBinary(bin, pkg), "./"+pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("bench: go test -c ./%s: %w\n%s", pkg, err, out)
		}
	}

	var all bytes.Buffer
	for round := 1; round <= o.count; round++ {
		for _, j := range jobs {
			pattern := j.bench
			if o.quick && j.quick != "" {
				pattern = j.quick
			}
			fmt.Fprintf(stderr, "bench: round %d/%d: %s %s\n", round, o.count, j.pkg, pattern)
			out, err := runJob(ctx, root, bin, env, j, pattern, o)
			all.Write(out)
			if err != nil {
				return fmt.Errorf("bench: round %d, %s -test.bench %s: %w\n%s", round, j.pkg, pattern, err, tail(out, 40))
			}
		}
	}
	meta.Took = time.Since(meta.Start)
	meta.LoadAfter = loadAverage()

	if o.raw != "" {
		if err := os.WriteFile(o.raw, all.Bytes(), 0o644); err != nil {
			return fmt.Errorf("bench: write raw output: %w", err)
		}
	}
	res, err := parseResults(bytes.NewReader(all.Bytes()), "go test output")
	if err != nil {
		return err
	}
	if o.out == "-" {
		return writeReport(stdout, res, meta)
	}
	if err := writeFile(o.out, func(w io.Writer) error { return writeReport(w, res, meta) }); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "bench: wrote %s\n", o.out)
	return nil
}

// runJob runs one benchmark pattern of j's test binary once, in env, and
// returns its output.
func runJob(ctx context.Context, root, bin string, env []string, j job, pattern string, o options) ([]byte, error) {
	cmd := exec.CommandContext(ctx, testBinary(bin, j.pkg),
		"-test.run=^$", "-test.bench="+pattern, "-test.count=1", "-test.benchmem",
		"-test.benchtime="+cmp.Or(j.benchtime, o.benchtime), "-test.timeout="+o.timeout.String())
	cmd.Dir = filepath.Join(root, j.pkg)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	if err == nil && !bytes.Contains(out.Bytes(), []byte("\nBenchmark")) {
		err = errors.New("no benchmark ran")
	}
	return out.Bytes(), err
}

// needsPostgres reports whether a job needs PostgreSQL.
func needsPostgres() bool {
	for _, j := range jobs {
		if j.postgres {
			return true
		}
	}
	return false
}

// postgresUp makes sure the PostgreSQL server of the riverstore tests
// answers, starting it if it can, with the repository's script.
func postgresUp(ctx context.Context, root string, stderr io.Writer) error {
	cmd := exec.CommandContext(ctx, filepath.Join(root, "scripts", "postgres-up"))
	cmd.Dir = root
	cmd.Stdout = stderr
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("bench: the riverstore benchmarks need PostgreSQL (DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/test) and scripts/postgres-up could not make it answer: %w", err)
	}
	return nil
}

// packages returns the packages of jobs, each once, in order.
func packages() []string {
	var pkgs []string
	seen := map[string]bool{}
	for _, j := range jobs {
		if !seen[j.pkg] {
			seen[j.pkg] = true
			pkgs = append(pkgs, j.pkg)
		}
	}
	return pkgs
}

func testBinary(dir, pkg string) string { return filepath.Join(dir, pkg+".test") }

// moduleRoot returns the directory of the main module's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("bench: go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("bench: not inside the module; run it from the repository: go run ./bench")
	}
	return filepath.Dir(gomod), nil
}

// moduleVersions returns the versions of mods in the build list.
func moduleVersions(ctx context.Context, root string, mods ...string) (map[string]string, error) {
	cmd := exec.CommandContext(ctx, "go", append([]string{"list", "-m"}, mods...)...)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("bench: go list -m: %w", err)
	}
	v := map[string]string{}
	for line := range strings.Lines(string(out)) {
		if f := strings.Fields(line); len(f) >= 2 {
			v[f[0]] = f[1]
		}
	}
	return v, nil
}

// writeFile writes path through write, replacing it only when all went
// well.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".bench-*.md")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("bench: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("bench: write %s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}

// tail returns the last n lines of out.
func tail(out []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
