package riverstore_test

import "log/slog"

// quiet discards the logs the tests provoke on purpose.
var quiet = slog.New(slog.DiscardHandler)
