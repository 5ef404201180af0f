-- Delivery order: the unfinished delivery jobs of each endpoint and order
-- key (a hash of instance and object type), in publish order (seq). The
-- first row of a key is its head, the only one due; the others are parked
-- in River (scheduled at 9999-01-01) until the one before them settles,
-- which deletes its row and makes the next one due in its transaction.
CREATE TABLE elementevents_delivery_order (
    endpoint  text   NOT NULL,
    order_key bytea  NOT NULL,
    seq       bigint GENERATED ALWAYS AS IDENTITY,
    job_id    bigint NOT NULL,
    PRIMARY KEY (endpoint, order_key, seq)
);
CREATE UNIQUE INDEX elementevents_delivery_order_job_id ON elementevents_delivery_order (job_id);

-- A replayed dead letter joins the tail of its order key again.
ALTER TABLE elementevents_dead_letter ADD COLUMN order_key bytea;
