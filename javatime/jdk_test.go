package javatime_test

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/javatime"
)

// jdkRow is one line of testdata/jdk/table.tsv, written by GenTable.java.
type jdkRow struct {
	line                    int
	kind, zone, pattern, in string
	want                    string
}

func readJDKTable(t *testing.T) []jdkRow {
	t.Helper()
	f, err := os.Open("testdata/jdk/table.tsv")
	require.NoError(t, err)
	defer f.Close()
	var rows []jdkRow
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		c := strings.Split(line, "\t")
		require.Len(t, c, 5, "table.tsv line %d", n)
		rows = append(rows, jdkRow{line: n, kind: c[0], zone: c[1], pattern: c[2], in: c[3], want: c[4]})
	}
	require.NoError(t, sc.Err())
	require.Greater(t, len(rows), 1000, "the table is all there")
	for key := range jdkDivergences {
		require.True(t, slices.ContainsFunc(rows, func(r jdkRow) bool { return r.pattern == key[0] && r.in == key[1] }),
			"divergence %q is not in the table any more", key)
	}
	return rows
}

// jdkDivergences are the rows javatime reads differently from the JDK on
// purpose, by pattern and input, with the reason.
var jdkDivergences = map[[2]string]string{
	{"y-MM-dd", "7-01-02"}:            julianReason,
	{"yyyy-MM-dd", "07-01-02"}:        julianReason,
	{"yyyy-MM-dd G", "0044-03-15 BC"}: julianReason,
}

// julianReason: SimpleDateFormat's GregorianCalendar counts days before
// 1582-10-15 in the Julian calendar (0007-01-02 is 0006-12-31 in ours),
// and its legacy zones use the current standard offset before 1900 where
// tzdata has local mean time. javatime reads the proleptic Gregorian
// calendar with tzdata's offsets, as java.time and Go do.
const julianReason = "Julian calendar before 1582"

// TestJDKTable checks Format and Parse row by row against what the JDK's
// SimpleDateFormat does, as recorded by testdata/jdk/GenTable.java:
// instants around changes of offset, local times in gaps and overlaps,
// zone names of every kind, and the pattern letters.
func TestJDKTable(t *testing.T) {
	t.Parallel()
	byZone := map[string][]jdkRow{}
	for _, r := range readJDKTable(t) {
		byZone[r.zone] = append(byZone[r.zone], r)
	}
	for zone, rows := range byZone {
		t.Run(strings.ReplaceAll(zone, "/", "_"), func(t *testing.T) {
			t.Parallel()
			layouts := map[string]*javatime.Layout{}
			for _, r := range rows {
				l := layouts[r.pattern]
				if l == nil {
					var err error
					l, err = javatime.NewLayout(r.pattern, r.zone)
					require.NoError(t, err, "line %d", r.line)
					layouts[r.pattern] = l
				}
				checkJDKRow(t, l, r)
			}
		})
	}
}

func checkJDKRow(t *testing.T, l *javatime.Layout, r jdkRow) {
	t.Helper()
	if _, ok := jdkDivergences[[2]string{r.pattern, r.in}]; ok {
		return
	}
	switch r.kind {
	case "format":
		at, err := time.Parse(time.RFC3339Nano, r.in)
		require.NoError(t, err, "line %d", r.line)
		if got := l.Format(at); got != r.want {
			t.Errorf("line %d: %s in %s: Format(%s) = %q, the JDK writes %q", r.line, r.pattern, r.zone, r.in, got, r.want)
		}
	case "parse":
		got, err := l.Parse(r.in)
		if r.want == "error" {
			if err == nil {
				t.Errorf("line %d: %s in %s: Parse(%q) = %v, the JDK fails", r.line, r.pattern, r.zone, r.in, got.UTC())
			}
			return
		}
		want, perr := time.Parse(time.RFC3339Nano, r.want)
		require.NoError(t, perr, "line %d", r.line)
		if err != nil || !got.Equal(want) {
			t.Errorf("line %d: %s in %s: Parse(%q) = %v, %v; the JDK reads %s", r.line, r.pattern, r.zone, r.in, got.UTC(), err, r.want)
		}
	default:
		t.Fatalf("line %d: unknown kind %q", r.line, r.kind)
	}
}
