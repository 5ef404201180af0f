-- Poller state: one row per (instance, resource), its records beside it
-- under a surrogate id, so that no record repeats the two names.
CREATE TABLE elementevents_poller_resource (
    rid            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instance       text    NOT NULL,
    resource       text    NOT NULL,
    -- NULL: the zero watermark (no baseline yet).
    watermark_sec  bigint,
    watermark_nsec integer,
    cycles         bigint  NOT NULL,
    -- Missing counts, encoded by the store; NULL means none.
    missing        bytea,
    UNIQUE (instance, resource)
);

CREATE TABLE elementevents_poller_record (
    rid     bigint NOT NULL,
    -- Record ids are any UTF-8, NUL included, which text cannot hold.
    id      bytea  NOT NULL,
    updated bigint NOT NULL,
    -- The uint64 hash, stored as its two's complement.
    hash    bigint NOT NULL,
    PRIMARY KEY (rid, id)
);

-- Webhook and notification dedupe: 128-bit hashes of the keys, expiring.
CREATE TABLE elementevents_dedupe (
    key        bytea  PRIMARY KEY,
    expires_at bigint NOT NULL -- Unix nanoseconds
);
CREATE INDEX elementevents_dedupe_expires_at ON elementevents_dedupe (expires_at);

-- Endpoints disabled after a 410 Gone.
CREATE TABLE elementevents_endpoint (
    url        text        PRIMARY KEY,
    disabled   boolean     NOT NULL,
    reason     text        NOT NULL DEFAULT '',
    changed_at timestamptz NOT NULL
);

-- Signing keys, referenced from delivery jobs by their SHA-256, so that
-- no key is written into River's job arguments.
CREATE TABLE elementevents_signing_key (
    id  bytea PRIMARY KEY,
    key bytea NOT NULL
);

-- Dead letters: notifications given up on, listable and replayable.
CREATE TABLE elementevents_dead_letter (
    id         text        PRIMARY KEY,
    -- The River job that gave up, kept (completed) until Replay deletes it.
    job_id     bigint      NOT NULL,
    endpoint   text        NOT NULL,
    key_id     bytea,
    body       bytea       NOT NULL,
    events     integer     NOT NULL,
    created_at timestamptz NOT NULL,
    dead_at    timestamptz NOT NULL,
    reason     text        NOT NULL,
    attempts   jsonb       NOT NULL
);
CREATE INDEX elementevents_dead_letter_endpoint ON elementevents_dead_letter (endpoint, dead_at);
