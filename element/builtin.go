package element

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// builtinFS holds the built-in definitions, one JSON file each, named after
// the key. They are data so that they read like the definitions users
// write, and so that the test that parses them is the same code path.
//
//go:embed definitions/*.json
var builtinFS embed.FS

// builtins are the parsed built-in definitions, loaded once at init.
var builtins []*Definition

func init() {
	defs, err := loadDefinitions(builtinFS, "definitions")
	if err != nil {
		// A built-in that does not parse is a bug in this package, caught
		// by TestBuiltinDefinitions; failing loudly beats serving without
		// it.
		panic(err)
	}
	for _, def := range defs {
		if err := defaultCatalogue.Register(def); err != nil {
			panic(err)
		}
	}
	builtins = defs
}

// Builtins returns copies of the built-in definitions (woocommercerest,
// concur, generic), sorted by key, with their defaults filled. Use them to
// seed a [Catalogue] of your own.
func Builtins() []*Definition {
	out := make([]*Definition, len(builtins))
	for i, def := range builtins {
		out[i] = def.clone()
	}
	return out
}

// loadDefinitions parses every *.json file in dir of fsys, sorted by key.
// Each file must be named after the key it holds. Every file is tried, and
// the errors name their files.
func loadDefinitions(fsys fs.FS, dir string) ([]*Definition, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("element: built-in definitions: %w", err)
	}
	var (
		defs []*Definition
		errs []error
	)
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		def, err := ParseDefinition(data)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		if want := strings.TrimSuffix(path.Base(name), ".json"); def.Key != want {
			errs = append(errs, fmt.Errorf("%s: %w", name, problemList{{Path: "key",
				Message: quote(def.Key) + " does not match the file name"}}.err(definitionSubject(def.Key))))
			continue
		}
		defs = append(defs, def)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("element: built-in definitions: %w", errors.Join(errs...))
	}
	slices.SortFunc(defs, func(a, b *Definition) int { return strings.Compare(a.Key, b.Key) })
	return defs, nil
}
