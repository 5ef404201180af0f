-- OAuth 2 tokens (vendorauth.TokenStore), one row per key (an instance).
-- Keys and secrets are bytea: they are any bytes, NUL included, which
-- text cannot hold. The secrets are stored as their values, as the
-- signing keys are: the database must be guarded like the vendor
-- credentials in the instances' configuration.
CREATE TABLE elementevents_token (
    key           bytea       PRIMARY KEY,
    access_token  bytea       NOT NULL,
    refresh_token bytea       NOT NULL,
    token_type    bytea       NOT NULL,
    seed          bytea       NOT NULL,
    -- NULL: no known expiry (the zero time). Microsecond precision.
    expiry        timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
