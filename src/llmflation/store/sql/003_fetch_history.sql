-- Live-fetch history beyond prices (written by llmflation.store.history / store.fetch).

-- Epoch AI model records as intervals: an unchanged record re-observed extends valid_to;
-- a changed record closes the interval and opens a new one; a model that disappears is closed.
CREATE TABLE epoch_model_history (
    source                          VARCHAR NOT NULL,
    model                           VARCHAR NOT NULL,
    organization                    VARCHAR,
    publication_date                DATE,
    domain                          VARCHAR,
    country                         VARCHAR,
    accessibility                   VARCHAR,
    open_weights                    VARCHAR,
    frontier_model                  VARCHAR,
    parameters                      DOUBLE,
    training_compute_flop           DOUBLE,
    training_compute_cost_2023_usd  DOUBLE,
    valid_from                      DATE NOT NULL,
    valid_to                        DATE NOT NULL,
    observed_at                     TIMESTAMP NOT NULL,
    n_obs                           INTEGER NOT NULL DEFAULT 1,
    origin                          VARCHAR NOT NULL DEFAULT 'fetch',
    is_open                         BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (source, model, valid_from)
);

-- OpenRouter Data API rankings-daily (needs OPENROUTER_API_KEY): daily token totals.
-- A figure restated in a later response replaces the earlier one (observed_at says when).
CREATE TABLE openrouter_rankings_daily (
    date             DATE NOT NULL,
    model_permaslug  VARCHAR NOT NULL,
    total_tokens     BIGINT NOT NULL,
    as_of            TIMESTAMP,
    observed_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (date, model_permaslug)
);

-- One row per fetched snapshot (kept apart from the bundled `snapshots` log so that a
-- fetched snapshot and a bundled one with the same timestamp never collide).
CREATE TABLE fetch_snapshots (
    source         VARCHAR NOT NULL,
    history_table  VARCHAR NOT NULL,
    observed_at    TIMESTAMP NOT NULL,
    snapshot_date  DATE NOT NULL,
    rows           INTEGER NOT NULL,
    sha256         VARCHAR,
    recorded_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (source, observed_at)
);
