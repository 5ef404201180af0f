-- Deliveries waiting their turn: the notifications of an endpoint and
-- order key behind its head, in publish order (seq), with what their
-- River job will carry. They are not in River: when the head settles,
-- the transaction that deletes its row of elementevents_delivery_order
-- deletes the first of these and inserts it into River as the new head,
-- so that a notification that waits costs one River insert, not an insert
-- and an update. A key has waiting rows only while it has a head.
CREATE TABLE elementevents_delivery_wait (
    endpoint  text    NOT NULL,
    order_key bytea   NOT NULL,
    seq       bigint  GENERATED ALWAYS AS IDENTITY,
    -- The notification's id: Publish skips one already waiting.
    id        text    NOT NULL,
    key_id    bytea,
    body      bytea   NOT NULL,
    events    integer NOT NULL,
    PRIMARY KEY (endpoint, order_key, seq)
);
CREATE UNIQUE INDEX elementevents_delivery_wait_id ON elementevents_delivery_wait (id);

-- Delivery jobs parked in River by earlier versions (scheduled at
-- 9999-01-01, not their key's head) wait here instead, in their order.
WITH parked AS (
    DELETE FROM river_job j USING elementevents_delivery_order o
    WHERE o.job_id = j.id AND j.kind = 'elementevents_deliver' AND j.state = 'scheduled'
        AND j.scheduled_at >= '9999-01-01' AND NOT j.metadata ? 'elementevents_turn'
    RETURNING o.endpoint, o.order_key, o.seq, j.id AS job_id, j.args
), gone AS (
    DELETE FROM elementevents_delivery_order WHERE job_id IN (SELECT job_id FROM parked)
)
INSERT INTO elementevents_delivery_wait (endpoint, order_key, id, key_id, body, events)
SELECT endpoint, order_key, args->>'id', decode(args->>'key_id', 'base64'), decode(args->>'body', 'base64'), (args->>'events')::integer
FROM parked ORDER BY seq;
