-- Instances (engine.InstanceStore), one row per instance. The body is
-- bytea, kept byte for byte as written (a jsonb column would re-encode
-- it); it holds the instance's credentials as their values, so the
-- database must be guarded like them. The other columns are what List
-- filters on, derived from the body by the writer.
--
-- Ids and tenants collate "C": List pages in byte order of the ids, as
-- the memory store does, whatever the database's collation.
CREATE TABLE elementevents_instance (
    id          text COLLATE "C"   PRIMARY KEY,
    tenant      text COLLATE "C"   NOT NULL,
    version     bigint             NOT NULL,
    element_key text               NOT NULL,
    vendor_type text               NOT NULL,
    -- NULL and '{}' are kept apart: a nil and an empty slice round-trip.
    tags        text[],
    enabled     boolean            NOT NULL,
    -- NULL: a nil body.
    body        bytea,
    -- Microsecond precision.
    created_at  timestamptz        NOT NULL,
    updated_at  timestamptz        NOT NULL
);

-- List walks one tenant's ids in order from the cursor.
CREATE INDEX elementevents_instance_tenant_id ON elementevents_instance (tenant, id);
