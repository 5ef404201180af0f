package riverstore_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/riverstore"
)

// TestSettleWakesRiver: River polls for jobs only every 10 s here, so
// the ones behind a delivered notification of its object type arrive
// within seconds only if settling it wakes River to fetch them: with the
// tables found through the search_path, and in Config.Schema, whose
// River listens on a topic of that schema.
func TestSettleWakesRiver(t *testing.T) {
	t.Parallel()
	for _, inSchema := range []bool{false, true} {
		t.Run(map[bool]string{false: "search_path", true: "Config.Schema"}[inSchema], func(t *testing.T) {
			t.Parallel()
			var (
				pool   *pgxpool.Pool
				schema string
			)
			if inSchema {
				admin := connect(t, "", 2)
				schema = newSchema(t, admin)
				pool = connect(t, "", 12)
			} else {
				pool, _ = setup(t, 12)
			}
			rc := newReceiver(t)
			slow := fastRiver()
			slow.FetchPollInterval = 10 * time.Second
			r := startReplica(t, pool, riverstore.Config{Schema: schema, River: slow, Policy: notify.DeliveryPolicy{PollingBatchSize: 1}})
			b := batch("inst-1", "customers", rc.srv.URL+"/events", 0, 4)
			ids := singleIDs(b)
			start := time.Now()
			require.NoError(t, r.Publish(t.Context(), b))
			for _, id := range ids {
				eventually(t, 5*time.Second, func() bool { return rc.acceptedCount(id) == 1 }, "%s delivered", id)
			}
			require.Less(t, time.Since(start), 5*time.Second, "each delivery woke River for the next")
		})
	}
}

// TestSettledJobRunAgainIsNotRedelivered: a delivered job whose settle
// committed (its successor delivered since) but which River runs again,
// as it does with a job a stopped replica had not recorded, completes
// without an attempt: delivering it again would put it after its
// successor.
func TestSettledJobRunAgainIsNotRedelivered(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 12)
	rc := newReceiver(t)
	r := startReplica(t, pool, riverstore.Config{Policy: notify.DeliveryPolicy{PollingBatchSize: 1}})
	b := batch("inst-1", "customers", rc.srv.URL+"/events", 0, 2)
	ids := singleIDs(b)
	ctx := t.Context()
	require.NoError(t, r.Publish(ctx, b))
	for _, id := range ids {
		eventually(t, 10*time.Second, func() bool { return rc.acceptedCount(id) == 1 }, "%s delivered", id)
	}
	var head int64
	require.NoError(t, pool.QueryRow(ctx, "SELECT id FROM river_job WHERE args->>'id' = $1", ids[0]).Scan(&head))
	eventually(t, 10*time.Second, func() bool {
		j, err := r.Client().JobGet(ctx, head)
		return err == nil && j.State == rivertype.JobStateCompleted
	}, "the head completed")

	// As River's rescuer leaves a job a stopped replica was running.
	_, err := pool.Exec(ctx, "UPDATE river_job SET state = 'available', finalized_at = NULL, scheduled_at = now() WHERE id = $1", head)
	require.NoError(t, err)
	eventually(t, 10*time.Second, func() bool {
		j, err := r.Client().JobGet(ctx, head)
		return err == nil && j.State == rivertype.JobStateCompleted && j.Attempt == 2
	}, "the head ran again and completed")
	require.Equal(t, 1, rc.requestCount(ids[0]), "the settled head is not attempted again")
}
