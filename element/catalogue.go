package element

import (
	"slices"
	"sync"
)

// Catalogue is a set of element definitions by key. It is safe for
// concurrent use. The zero value is an empty catalogue ready to use.
//
// It holds its own copies: a definition passed to Register or Replace may
// be changed afterwards without effect, and Lookup returns a fresh copy
// each time, so no caller can change what another sees.
//
// Most programs use the package's default catalogue, [Default], which
// holds the built-in definitions. A separate Catalogue suits tests and
// programs that want only their own definitions; seed it from [Builtins]
// to start from the built-ins.
type Catalogue struct {
	mu   sync.RWMutex
	defs map[string]*Definition
}

// Register validates def and adds a copy of it with its defaults filled. An
// invalid definition returns the [*ValidationError] from
// [Definition.Validate]. A key already present is a [*ValidationError] too:
// replacing a definition, such as a built-in, must be asked for with
// [Catalogue.Replace], so two packages cannot silently fight over a key.
func (c *Catalogue) Register(def *Definition) error {
	return c.add(def, false)
}

// Replace validates def and adds a copy of it, replacing any definition
// with the same key. Use it to override a built-in definition.
func (c *Catalogue) Replace(def *Definition) error {
	return c.add(def, true)
}

func (c *Catalogue) add(def *Definition, replace bool) error {
	if def == nil {
		return problemList{{Message: "nil definition"}}.err("definition")
	}
	if err := def.Validate(); err != nil {
		return err
	}
	stored := def.clone()
	stored.setDefaults()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, dup := c.defs[stored.Key]; dup && !replace {
		return problemList{{Path: "key", Message: quote(stored.Key) + " is already registered (use Replace to override it)"}}.err(definitionSubject(stored.Key))
	}
	if c.defs == nil {
		c.defs = make(map[string]*Definition)
	}
	c.defs[stored.Key] = stored
	return nil
}

// Lookup returns a copy of the definition registered under key, with its
// defaults filled, and whether there is one. The copy is the caller's to
// change. Keys are matched exactly.
func (c *Catalogue) Lookup(key string) (*Definition, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	def, ok := c.defs[key]
	if !ok {
		return nil, false
	}
	return def.clone(), true
}

// Keys returns the registered keys, sorted.
func (c *Catalogue) Keys() []string {
	c.mu.RLock()
	keys := make([]string, 0, len(c.defs))
	for k := range c.defs {
		keys = append(keys, k)
	}
	c.mu.RUnlock()
	slices.Sort(keys)
	return keys
}

// defaultCatalogue holds the built-ins from init onwards.
var defaultCatalogue Catalogue

// Default returns the catalogue that [Parse] and [Instance.Validate] read:
// the built-in definitions and those registered since. It is safe to use
// from init functions and concurrently:
//
//	def, ok := element.Default().Lookup("woocommercerest")
//	err := element.Default().Register(myDefinition)
func Default() *Catalogue { return &defaultCatalogue }
