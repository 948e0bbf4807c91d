-- The tariff of each fetched catalogue entry as dated history (issue 21): one row per run of
-- snapshots in which a (source, source_key, provider) entry listed the same tariff fields.
-- `entry` is the entry's price/tariff fields (long-prompt tiers `*_above_*k_tokens`, cache
-- read/write, `*_batches`, `*_flex`, `*_priority`, reasoning …) as canonical JSON with
-- sorted keys, so equal tariffs are equal text. Written by llmflation.store.history in the
-- same transaction as the snapshot's price_intervals, by the same interval rules (an
-- unchanged entry extends its interval, a changed one opens a new interval, a key that
-- disappears is closed), and rebuilt with them by `llmflation fetch drop`. The fetch that
-- dated a row is the fetch_snapshots row of its source on valid_from (as for price_intervals).
CREATE TABLE IF NOT EXISTS tariff_intervals (
    source       VARCHAR NOT NULL,
    source_key   VARCHAR NOT NULL,
    provider     VARCHAR NOT NULL,
    entry        VARCHAR NOT NULL,
    valid_from   DATE NOT NULL,
    valid_to     DATE NOT NULL,
    observed_at  TIMESTAMP NOT NULL,
    n_obs        INTEGER NOT NULL DEFAULT 1,
    origin       VARCHAR NOT NULL DEFAULT 'fetch',
    is_open      BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (source, source_key, provider, valid_from)
);
