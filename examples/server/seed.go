package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/engine"
)

// seed creates the instances of the -seed files for tenant, each unless
// its id is stored already (a restart with the same flags changes
// nothing). It reports every file's problems at once, each naming the
// file and the configuration key.
func seed(ctx context.Context, eng *engine.Engine, tenant string, files []string, logger *slog.Logger) error {
	var problems []error
	for _, file := range files {
		body, err := os.ReadFile(file)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		inst, err := eng.Create(ctx, tenant, body)
		var ve *element.ValidationError
		switch {
		case err == nil:
			logger.Info("seeded an instance", "file", file, "instance", inst.ID, "tenant", tenant)
		case errors.Is(err, engine.ErrExists):
			logger.Info("seed instance exists already; left as stored", "file", file)
		case errors.As(err, &ve):
			for _, p := range ve.Problems {
				problems = append(problems, fmt.Errorf("%s: %w", file, &p))
			}
		default:
			problems = append(problems, fmt.Errorf("%s: %w", file, err))
		}
	}
	return errors.Join(problems...)
}
