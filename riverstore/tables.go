package riverstore

import "github.com/jackc/pgx/v5"

// tables holds the store's table names, qualified with the schema when one
// is configured (otherwise the connection's search_path decides).
type tables struct {
	resource, record, dedupe, endpoint, signingKey, deadLetter, token, instance, claim, eventLog string
	// order is the delivery order (the jobs in River), wait the
	// deliveries waiting their turn; job is River's job table.
	order, wait, job string
}

func newTables(schema string) tables {
	q := func(name string) string {
		if schema == "" {
			return name
		}
		return pgx.Identifier{schema, name}.Sanitize()
	}
	return tables{
		resource:   q("elementevents_poller_resource"),
		record:     q("elementevents_poller_record"),
		dedupe:     q("elementevents_dedupe"),
		endpoint:   q("elementevents_endpoint"),
		signingKey: q("elementevents_signing_key"),
		deadLetter: q("elementevents_dead_letter"),
		token:      q("elementevents_token"),
		instance:   q("elementevents_instance"),
		claim:      q("elementevents_claim"),
		eventLog:   q("elementevents_event_log"),
		order:      q("elementevents_delivery_order"),
		wait:       q("elementevents_delivery_wait"),
		job:        q("river_job"),
	}
}
