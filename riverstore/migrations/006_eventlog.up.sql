-- The event log (engine.EventLog), one row per notification, shared by
-- the engines of every replica: GET /instances/{id}/events on any of them
-- lists what all of them delivered.
--
-- The body is bytea, kept byte for byte as sent (jsonb would re-encode
-- it). Attempts are a jsonb array, oldest first; an update appends to it
-- in place (attempts || '[...]'), so concurrent updates lose none.
--
-- Ids, tenants and instances collate "C": pages run in byte order of the
-- ids within a creation time, as the memory log's do, whatever the
-- database's collation. Times have microsecond precision.
CREATE TABLE elementevents_event_log (
    id          text COLLATE "C" PRIMARY KEY,
    tenant      text COLLATE "C" NOT NULL,
    instance    text COLLATE "C" NOT NULL,
    object_type text             NOT NULL,
    -- The distinct event types of the notification, sorted.
    event_types text[]           NOT NULL,
    events      integer          NOT NULL,
    body        bytea            NOT NULL,
    status      text             NOT NULL,
    created     timestamptz      NOT NULL,
    updated     timestamptz      NOT NULL,
    attempts    jsonb            NOT NULL DEFAULT '[]',
    -- Why a DEAD notification was given up; '' otherwise.
    reason      text             NOT NULL DEFAULT ''
);

-- A page of one instance's notifications, newest first: one index range
-- read from the cursor, stopped at the limit.
CREATE INDEX elementevents_event_log_instance
    ON elementevents_event_log (tenant, instance, created DESC, id DESC);

-- The same with a status filter (the failures of an instance), whatever
-- share of the instance's notifications are in that status.
CREATE INDEX elementevents_event_log_instance_status
    ON elementevents_event_log (tenant, instance, status, created DESC, id DESC);

-- A page of a tenant's notifications, newest first.
CREATE INDEX elementevents_event_log_tenant
    ON elementevents_event_log (tenant, created DESC, id DESC);

-- Prune walks the oldest first.
CREATE INDEX elementevents_event_log_created ON elementevents_event_log (created);
