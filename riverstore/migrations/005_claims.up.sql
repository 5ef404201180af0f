-- Claims (engine.Claimer): which intervals of which instances a replica
-- has claimed to poll. The primary key makes each (instance, window)
-- claimable once; NewClaimer's Claim prunes rows whose window is more
-- than a day older than the one it claims.
--
-- "window" is a reserved word in PostgreSQL: the column is window_start.
CREATE TABLE elementevents_claim (
    instance     text COLLATE "C" NOT NULL,
    -- The start of the interval, as engine computes it (Unix epoch
    -- multiples of the instance's refresh interval).
    window_start timestamptz      NOT NULL,
    -- When the claim was made, on the claimer's clock; for operators.
    claimed_at   timestamptz      NOT NULL,
    PRIMARY KEY (instance, window_start)
);

-- The prune walks the oldest windows.
CREATE INDEX elementevents_claim_window ON elementevents_claim (window_start);
