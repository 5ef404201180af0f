package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/netguard"
)

// instance is one instance file, parsed, validated and ready to run.
type instance struct {
	file string
	inst *element.Instance
}

// webhookPath is where a webhook instance is served.
func (in instance) webhookPath() string {
	return "/events/" + url.PathEscape(in.inst.Element.Key) + "/" + url.PathEscape(in.inst.ID)
}

// inputError lists every problem found in the instance files, one line
// each, starting with the file and naming the configuration key.
type inputError struct {
	problems []string
}

func (e *inputError) Error() string {
	return "the instance files have problems; nothing was started:\n  " + strings.Join(e.problems, "\n  ")
}

func (e *inputError) add(file string, format string, args ...any) {
	e.problems = append(e.problems, file+": "+fmt.Sprintf(format, args...))
}

// loadInstances reads and parses every instance file and gives each its
// id. It reports every problem of every file at once, as an *inputError.
// Files whose events are disabled are not run; their names, with why when
// a warning says, are returned second.
func loadInstances(o options) ([]instance, []string, error) {
	var (
		bad      inputError
		out      []instance
		disabled []string
		idFiles  = map[string]string{} // instance id -> the file that has it
	)
	guard := netguard.Guard{AllowPrivate: o.allowPrivate}
	for _, file := range o.instances {
		inst, ok := parseFile(file, &bad)
		if !ok {
			continue
		}
		ev := inst.Configuration.Events
		if !ev.Enabled {
			for _, w := range inst.Warnings {
				if w.Path == "event.notification.enabled" {
					file += " (" + w.Message + ")"
				}
			}
			disabled = append(disabled, file)
			continue
		}
		if inst.ID == "" {
			inst.ID = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
			if inst.ID == "" {
				bad.add(file, `id: the file name gives no instance id; set "id" in the body`)
				continue
			}
		}
		if other, dup := idFiles[inst.ID]; dup {
			bad.add(file, "id: instance id %q is also the id of %s; set a distinct \"id\" in one of them", inst.ID, other)
			continue
		}
		idFiles[inst.ID] = file
		if u, err := url.Parse(ev.CallbackURL); err == nil {
			if err := guard.CheckURL(u); err != nil {
				bad.add(file, "event.notification.callback.url: %v%s", err, o.guardHint(err))
				continue
			}
		}
		in := instance{file: file, inst: inst}
		out = append(out, in)
	}
	if len(bad.problems) == 0 && len(out) == 0 {
		bad.problems = append(bad.problems, "nothing to run: no instance has event.notification.enabled"+
			" true (disabled: "+strings.Join(disabled, ", ")+")")
	}
	if len(bad.problems) > 0 {
		return nil, nil, &bad
	}
	return out, disabled, nil
}

// guardHint is the hint added to an error the SSRF guard caused.
func (o options) guardHint(err error) string {
	if o.allowPrivate || !errors.Is(err, netguard.ErrRefused) {
		return ""
	}
	return " (run with -allow-private to allow private and loopback addresses)"
}

// parseFile reads and parses one file, adding its problems to bad.
func parseFile(file string, bad *inputError) (*element.Instance, bool) {
	body, err := os.ReadFile(file)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is already at the start of the line
		}
		bad.add(file, "%v", err)
		return nil, false
	}
	inst, err := element.Parse(body) // checks the rules too
	var ve *element.ValidationError
	switch {
	case err == nil:
		return inst, true
	case errors.As(err, &ve):
		for _, p := range ve.Problems {
			bad.add(file, "%v", p)
		}
	default:
		bad.add(file, "%v", err)
	}
	return nil, false
}
