package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
)

// consoleKeyEnv names the environment variable that holds the console's
// session key, in hex (32 bytes or more: `openssl rand -hex 32`). With
// it, sign-ins outlive a restart and every replica accepts them; without
// it, each start picks a random key and sign-ins end at restart.
const consoleKeyEnv = "ELEMENTEVENTS_CONSOLE_KEY"

// consolePrefix is where the web console is mounted.
const consolePrefix = "/console"

// consoleKeyLen is the length of a random session key.
const consoleKeyLen = 32

// consoleSessionKey returns the key that signs the console's sessions:
// the hex value of ELEMENTEVENTS_CONSOLE_KEY, or a random one when it is
// empty. Errors name the variable, never its value.
func consoleSessionKey(hexKey string, logger *slog.Logger) ([]byte, error) {
	if hexKey == "" {
		key := make([]byte, consoleKeyLen)
		_, _ = rand.Read(key) // crypto/rand.Read never fails
		logger.Info("console: random session key; sessions end at restart (set " + consoleKeyEnv + " to keep them)")
		return key, nil
	}
	key, err := hex.DecodeString(hexKey)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: not hex", consoleKeyEnv)
	case len(key) < consoleKeyLen:
		return nil, fmt.Errorf("%s: %d bytes, want %d or more", consoleKeyEnv, len(key), consoleKeyLen)
	}
	return key, nil
}
