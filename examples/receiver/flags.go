package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/a12b7632/elementevents/signature"
)

// keysEnv names the environment variable read when no -key flag is given.
const keysEnv = "ELEMENTEVENTS_KEYS"

// config is what the flags say.
type config struct {
	listen        string
	path          string
	keys          []signature.Key
	tolerance     time.Duration
	allowElements bool
}

// parseFlags reads args (without the program name). getenv looks up
// keysEnv. Usage and flag errors are written to stderr; -h returns
// flag.ErrHelp.
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var cfg config
	var keys keyList
	fs := flag.NewFlagSet("receiver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.listen, "listen", "127.0.0.1:8080",
		"`host:port` to listen on (\":8080\" for every interface)")
	fs.StringVar(&cfg.path, "path", "/",
		"URL `path` of the callback URL; \"/\" accepts every path")
	fs.Var(&keys, "key",
		"a signing `key`: an instance's event.notification.signature.key as written,\n"+
			"or a Standard Webhooks secret in the form whsec_<base64>. Repeat the flag,\n"+
			"or separate keys with commas, to accept several: a notification signed with\n"+
			"any of them passes, which is how a key is rotated (a key that contains a comma\n"+
			"must be given in the whsec_ form). Without -key, the keys are read from the\n"+
			"environment variable "+keysEnv+", in the same form; prefer it where other\n"+
			"users of the machine could read the process list")
	fs.DurationVar(&cfg.tolerance, "tolerance", signature.DefaultTolerance,
		"how far a notification's webhook-timestamp may be from this machine's clock,\n"+
			"either way, before it is refused as a replay; negative disables the check")
	fs.BoolVar(&cfg.allowElements, "allow-elements-scheme", false,
		"also accept notifications signed only in the Cloud Elements scheme\n"+
			"(Elements-Webhook-Signature), for a sender that cannot sign in the Standard\n"+
			"Webhooks scheme; that scheme carries no timestamp, so a captured request\n"+
			"can be replayed once its id is forgotten (24 h, or at a restart). The\n"+
			"Notifier signs in both schemes and needs no such flag")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `receiver verifies elementevents notifications and prints one line per event.

Usage:
  receiver -key KEY [-key KEY2] [-listen host:port] [-path /element-events]

Each POST must carry a valid Standard Webhooks signature (webhook-id,
webhook-timestamp and webhook-signature, or the same under svix- names)
made with one of the keys, or, with -allow-elements-scheme, a Cloud
Elements Elements-Webhook-Signature; it is answered 401 otherwise, 413 over
1 MiB, 400 if it is not a notification, and 200 (printed once) if it was
already received. SIGINT or SIGTERM stops it cleanly.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	source := "-key"
	if len(keys) == 0 {
		if env := getenv(keysEnv); env != "" {
			keys.Set(env)
			source = keysEnv
		}
	}
	if len(keys) == 0 {
		return cfg, fmt.Errorf("no key: give -key or set %s", keysEnv)
	}
	var err error
	if cfg.keys, err = keys.parse(); err != nil {
		return cfg, fmt.Errorf("%s: %w", source, err)
	}
	if !strings.HasPrefix(cfg.path, "/") {
		return cfg, fmt.Errorf("-path %q must start with /", cfg.path)
	}
	return cfg, nil
}

// keyList is the value of the -key flag: the entries of repeated flags
// and comma lists, as written. Set never fails, and the entries are read
// as keys only after the flags are parsed, so that the flag package, which
// quotes a value it is refused, never prints a key.
type keyList []string

// errEmptyKey reports an empty entry in a key list.
var errEmptyKey = errors.New("empty key")

// String never shows a key.
func (k *keyList) String() string {
	if k == nil || len(*k) == 0 {
		return ""
	}
	return fmt.Sprintf("%d keys", len(*k))
}

// Set adds the comma-separated entries of v.
func (k *keyList) Set(v string) error {
	for s := range strings.SplitSeq(v, ",") {
		*k = append(*k, strings.TrimSpace(s))
	}
	return nil
}

// parse reads each entry as signature.ParseKey does. An error names the
// entry by its position, never by its value.
func (k keyList) parse() ([]signature.Key, error) {
	keys := make([]signature.Key, 0, len(k))
	for i, s := range k {
		if s == "" {
			return nil, fmt.Errorf("key %d: %w", i+1, errEmptyKey)
		}
		key, err := signature.ParseKey(s)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i+1, err)
		}
		keys = append(keys, key)
	}
	return keys, nil
}
