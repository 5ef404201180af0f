package casefile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Case is one hostile input: what makes it hostile, what it feeds the code
// under attack, and what must come out.
type Case struct {
	Name string // the file name less ".txtar", or the Go case's name
	Why  string // what makes the input hostile; required

	// Set holds the runner's settings: the comment's "key: value" lines
	// other than why, skip and want.*. Keys the Suite does not list are an
	// error.
	Set map[string]string

	// Files holds the inputs by section name. A file section loses the
	// newline that ends its last line, so "-- body --" followed directly by
	// the next section is an empty body, and a body that must end in a
	// newline ends in an empty line.
	Files map[string][]byte

	Want Want

	// Skip ("bug: ...") keeps a case that exposes a bug, skipped until the
	// bug is fixed.
	Skip string
}

// Want is what a case expects.
type Want struct {
	OK       bool      // want.ok: true: no error
	Is       []error   // want.is: sentinels matched with errors.Is
	As       []ErrType // want.as: error types matched with errors.As
	Contains []string  // want.contains: substrings of an error
	Field    []string  // want.field: config paths the Suite's Field finds
	Status   int       // want.status: the HTTP status; 0 when not checked
	Body     []string  // want.body: substrings of the HTTP answer
	Log      []string  // want.log: substrings of a log line
	Events   *int      // want.events: events published; nil when not checked
	Value    *string   // want.value: the runner's result value; nil when not checked
}

// ErrType is an error type want.as may name.
type ErrType struct {
	Name  string // as %T prints it: *element.SyntaxError
	Match func(error) bool
}

// TypeOf returns the ErrType of E, matched with errors.AsType.
func TypeOf[E error]() ErrType {
	var zero E
	return ErrType{Name: fmt.Sprintf("%T", zero), Match: func(err error) bool {
		_, ok := errors.AsType[E](err)
		return ok
	}}
}

// Setting returns the setting key, or def when the case does not set it.
func (c *Case) Setting(key, def string) string {
	if v, ok := c.Set[key]; ok {
		return v
	}
	return def
}

// File returns the input section name and whether the case has it.
func (c *Case) File(name string) ([]byte, bool) {
	b, ok := c.Files[name]
	return b, ok
}

// Load reads every *.txtar file of the Suite's Dir as a Case, sorted by
// name.
func (s *Suite) Load() ([]*Case, error) {
	files, err := filepath.Glob(filepath.Join(s.dir(), "*.txtar"))
	if err != nil {
		return nil, err
	}
	var out []*Case
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		c, err := s.ParseCase(strings.TrimSuffix(filepath.Base(file), ".txtar"), data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// ParseCase reads one case file. Every key and section must be known, so
// that a typo fails the test instead of silently weakening the case.
func (s *Suite) ParseCase(name string, data []byte) (*Case, error) {
	a := ParseArchive(data)
	c := &Case{Name: name, Set: map[string]string{}, Files: map[string][]byte{}}
	for _, f := range a.Files {
		if _, dup := c.Files[f.Name]; dup {
			return nil, fmt.Errorf("section %q: given twice", f.Name)
		}
		c.Files[f.Name] = bytes.TrimSuffix(f.Data, []byte("\n"))
	}
	sc := bufio.NewScanner(bytes.NewReader(a.Comment))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("line %d: want \"key: value\", got %q", n, line)
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if err := s.set(c, key, val); err != nil {
			return nil, fmt.Errorf("line %d: %s: %w", n, key, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := s.Validate(c); err != nil {
		return nil, err
	}
	return c, nil
}

// set applies one comment line to c.
func (s *Suite) set(c *Case, key, val string) error {
	once := func(dst *string) error {
		if *dst != "" {
			return errors.New("given twice")
		}
		*dst = val
		return nil
	}
	w := &c.Want
	switch key {
	case "why":
		return once(&c.Why)
	case "skip":
		return once(&c.Skip)
	case "want.ok":
		ok, err := strconv.ParseBool(val)
		w.OK = ok
		return err
	case "want.is":
		e, ok := s.Is[val]
		if !ok {
			return fmt.Errorf("%q is not among the Suite's sentinels", val)
		}
		w.Is = append(w.Is, e)
	case "want.as":
		i := slices.IndexFunc(s.As, func(t ErrType) bool { return t.Name == val })
		if i < 0 {
			return fmt.Errorf("%q is not among the Suite's error types", val)
		}
		w.As = append(w.As, s.As[i])
	case "want.contains":
		w.Contains = append(w.Contains, val)
	case "want.field":
		w.Field = append(w.Field, val)
	case "want.status":
		n, err := strconv.Atoi(val)
		w.Status = n
		return err
	case "want.body":
		w.Body = append(w.Body, val)
	case "want.log":
		w.Log = append(w.Log, val)
	case "want.events":
		n, err := strconv.Atoi(val)
		w.Events = &n
		return err
	case "want.value":
		w.Value = &val
	default:
		if !slices.Contains(s.Settings, key) {
			return errors.New("unknown key")
		}
		if _, dup := c.Set[key]; dup {
			return errors.New("given twice")
		}
		c.Set[key] = val
	}
	return nil
}

// Validate checks a case, read from a file or written in Go: it says why
// it is hostile, expects something and nothing contradictory, and uses
// only the settings and sections the Suite knows.
func (s *Suite) Validate(c *Case) error {
	w := c.Want
	errs := len(w.Is) + len(w.As) + len(w.Contains) + len(w.Field)
	switch {
	case c.Name == "":
		return errors.New("no name")
	case c.Why == "":
		return errors.New(`no "why:" line saying what makes the input hostile`)
	case w.OK && errs > 0:
		return errors.New("want.ok contradicts want.is, want.as, want.contains and want.field")
	case !w.OK && errs == 0 && w.Status == 0:
		return errors.New("no expectation: give want.ok, want.status or an error to expect")
	case len(w.Field) > 0 && s.Field == nil:
		return errors.New("want.field: the Suite checks no fields")
	}
	for key := range c.Set {
		if !slices.Contains(s.Settings, key) {
			return fmt.Errorf("setting %q: unknown key", key)
		}
	}
	for name := range c.Files {
		if !slices.Contains(s.Files, name) {
			return fmt.Errorf("section %q: unknown section", name)
		}
	}
	return nil
}
