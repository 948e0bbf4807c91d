-- Price history as intervals: one row per (source, source_key, provider) price run.
CREATE TABLE price_intervals (
    source                  VARCHAR NOT NULL,
    source_key              VARCHAR NOT NULL,
    provider                VARCHAR NOT NULL,
    valid_from              DATE NOT NULL,
    valid_to                DATE NOT NULL,
    observed_at             TIMESTAMP NOT NULL,
    input_usd_per_mtok      DOUBLE NOT NULL,
    output_usd_per_mtok     DOUBLE NOT NULL,
    cache_read_usd_per_mtok DOUBLE,
    context_tokens          DOUBLE,
    model_name              VARCHAR,
    author                  VARCHAR,
    reasoning_flag          BOOLEAN,
    listed_date             DATE,
    n_obs                   INTEGER NOT NULL DEFAULT 1,
    origin                  VARCHAR NOT NULL DEFAULT 'bundled',  -- bundled | fetch
    is_open                 BOOLEAN NOT NULL DEFAULT FALSE,     -- still listed at the last snapshot
    PRIMARY KEY (source, source_key, provider, valid_from)
);

-- One row per recorded snapshot (bundled ingest or live fetch).
CREATE TABLE snapshots (
    source       VARCHAR NOT NULL,
    observed_at  TIMESTAMP NOT NULL,
    rows         INTEGER NOT NULL,
    sha256       VARCHAR,
    origin       VARCHAR NOT NULL,
    recorded_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (source, observed_at)
);
