package main

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/a12b7632/elementevents/element"
)

// The two instances, as the WooCommerce element's documentation writes
// them, with <PLACEHOLDERS> where a real body has the store's address,
// its credentials and your callback URL.
var (
	//go:embed polling.json
	pollingJSON []byte
	//go:embed webhook.json
	webhookJSON []byte
)

// loadInstance fills in the placeholders of an instance body, then parses
// it, which checks it too, as a host does with the body of an /instances
// call.
func loadInstance(body []byte, values map[string]string) (*element.Instance, error) {
	filled, err := fill(body, values)
	if err != nil {
		return nil, err
	}
	// A *element.SyntaxError says where; a *element.ValidationError lists
	// every problem, by config key.
	inst, err := element.Parse(filled)
	if err != nil {
		return nil, fmt.Errorf("instance body: %w", err)
	}
	return inst, nil
}

// placeholder is a <NAME> in an instance body.
var placeholder = regexp.MustCompile(`<[A-Z][A-Z_]*>`)

// fill replaces every <NAME> in body with values[NAME], escaped for a
// JSON string. A placeholder without a value is an error.
func fill(body []byte, values map[string]string) ([]byte, error) {
	var missing []string
	out := placeholder.ReplaceAllFunc(body, func(m []byte) []byte {
		v, ok := values[string(m[1:len(m)-1])]
		if !ok {
			missing = append(missing, string(m))
			return m
		}
		quoted, _ := json.Marshal(v) // a string always marshals
		return quoted[1 : len(quoted)-1]
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("instance body: no value for %s", strings.Join(missing, ", "))
	}
	return out, nil
}
