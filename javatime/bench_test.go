package javatime_test

import (
	"testing"
	"time"

	"github.com/a12b7632/elementevents/javatime"
)

// The benchmarks pair our Java-pattern code with the time package doing
// the same work, so the ratio can be read from one run.

// benchSink keeps formatted strings alive so that the compiler cannot
// drop the conversion that Format's cost includes.
var benchSink string

const (
	benchWooDate    = "2026-11-24T13:45:07"
	benchWooPattern = "yyyy-MM-dd'T'HH:mm:ss"
	benchWooLayout  = "2006-01-02T15:04:05"
)

func BenchmarkLayoutParse(b *testing.B) {
	df, err := javatime.NewLayout(benchWooPattern, "GMT")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := df.Parse(benchWooDate); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("time.Parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := time.Parse(benchWooLayout, benchWooDate); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkLayoutFormat(b *testing.B) {
	df, err := javatime.NewLayout(benchWooPattern, "GMT")
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 13, 45, 7, 0, time.UTC)
	b.Run("ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			benchSink = df.Format(at)
		}
	})
	b.Run("time.Format", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			benchSink = at.Format(benchWooLayout)
		}
	})
	buf := make([]byte, 0, 64)
	b.Run("ours/append", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = df.AppendFormat(buf[:0], at)
		}
	})
	b.Run("time.AppendFormat", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = at.AppendFormat(buf[:0], benchWooLayout)
		}
	})
}
