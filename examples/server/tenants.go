package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/a12b7632/elementevents/api"
)

// tenantsEnv names the environment variable that lists the tenants:
// "id:userSecret:orgSecret", separated by ";". Secrets stay out of the
// command line, where ps shows them.
const tenantsEnv = "ELEMENTEVENTS_TENANTS"

// The demo tenant of -demo, as the README's walkthrough calls the API.
const (
	demoTenant     = "demo"
	demoUserSecret = "demo-user"
	demoOrgSecret  = "demo-org"
)

// parseTenants reads the value of ELEMENTEVENTS_TENANTS. Errors name the
// entry by its position and tenant id, never a secret.
func parseTenants(v string, demo bool) ([]api.ElementsTenant, error) {
	var out []api.ElementsTenant
	if demo {
		out = append(out, api.ElementsTenant{ID: demoTenant, UserSecret: demoUserSecret, OrgSecret: demoOrgSecret})
	}
	seen := map[string]bool{}
	var problems []error
	for i, entry := range strings.Split(v, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		id, rest, _ := strings.Cut(entry, ":")
		user, org, ok := strings.Cut(rest, ":")
		switch {
		case id == "" || !ok || user == "" || org == "":
			problems = append(problems, fmt.Errorf("%s: entry %d (tenant %q): want id:userSecret:orgSecret, none empty", tenantsEnv, i+1, id))
		case seen[id] || demo && id == demoTenant:
			problems = append(problems, fmt.Errorf("%s: entry %d: tenant %q is listed twice", tenantsEnv, i+1, id))
		default:
			seen[id] = true
			out = append(out, api.ElementsTenant{ID: id, UserSecret: user, OrgSecret: org})
		}
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	return out, nil
}
