// Package benchdata builds the bbolt store files that the scale
// benchmarks of several packages read, so that they measure the same
// data: an event log of 1,000,000 notifications ([EventLogFile]) and a
// store of 10,000 instances ([InstancesFile]), both of one tenant.
//
// Building a file takes seconds to minutes, so a file is kept, under a
// name that holds its size and the store's schema version, in the
// directory ELEMENTEVENTS_BENCH_CACHE names, and reused by later runs;
// without it, a file is built in the benchmark's temporary directory.
// Open a kept file read-only: it is shared.
//
// Only tests and benchmarks import this package.
package benchdata

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/boltstore"
)

// CacheEnv names the environment variable of the directory that keeps
// the built files.
const CacheEnv = "ELEMENTEVENTS_BENCH_CACHE"

// Tenant owns every instance and notification of the files.
const Tenant = "acme"

// Start is when the data begins: the first notification's creation, and
// the instances' creation.
var Start = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// file returns the path of the file name, building it with fill when it
// is not kept yet. fill writes into a store being built, which it must
// not close; scratch, when set, builds on tmpfs (/dev/shm) where the
// machine has it, for a fill that commits often (fsync costs nothing
// there), and copies the result into place.
func file(tb testing.TB, name string, scratch bool, fill func(db *boltstore.DB) error) string {
	tb.Helper()
	dir := os.Getenv(CacheEnv)
	if dir == "" {
		dir = tb.TempDir()
	}
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err == nil {
		return path
	}
	buildDir := dir
	if fi, err := os.Stat("/dev/shm"); scratch && err == nil && fi.IsDir() {
		buildDir = "/dev/shm"
	}
	f, err := os.CreateTemp(buildDir, name+".building-*")
	if err != nil {
		tb.Fatalf("benchdata: %v", err)
	}
	tmp := f.Name()
	_ = f.Close()
	_ = os.Remove(tmp) // boltstore creates it
	defer os.Remove(tmp)
	db, err := boltstore.Open(tmp, boltstore.Options{})
	if err != nil {
		tb.Fatalf("benchdata: %v", err)
	}
	if err := fill(db); err != nil {
		_ = db.Close()
		tb.Fatalf("benchdata: build %s: %v", name, err)
	}
	if err := db.Close(); err != nil {
		tb.Fatalf("benchdata: %v", err)
	}
	if buildDir != dir {
		if err := copyFile(tmp, path+".copy"); err != nil {
			tb.Fatalf("benchdata: %v", err)
		}
		tmp = path + ".copy"
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatalf("benchdata: %v", err)
	}
	tb.Logf("built %s", path)
	return path
}

// copyFile copies src to dst, synced.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := out.Sync(); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

// Open opens a file of this package read-only, without the structural
// check (it was built here), and closes it when the benchmark ends.
func Open(tb testing.TB, path string) *boltstore.DB {
	tb.Helper()
	db, err := boltstore.Open(path, boltstore.Options{ReadOnly: true, SkipVerify: true})
	if err != nil {
		tb.Fatalf("benchdata: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return db
}
