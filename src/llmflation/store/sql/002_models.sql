-- The alias table used to resolve model identity (copied at ingest, for SQL joins).
CREATE TABLE model_aliases (
    source          VARCHAR NOT NULL,
    source_key      VARCHAR NOT NULL,
    model_id        VARCHAR,
    model_family    VARCHAR,
    developer       VARCHAR,
    epoch_model     VARCHAR,
    epoch_link_rule VARCHAR,
    PRIMARY KEY (source, source_key)
);

CREATE VIEW current_prices AS
SELECT i.*, a.model_id, a.developer
FROM price_intervals i
LEFT JOIN model_aliases a USING (source, source_key)
WHERE i.valid_to = (SELECT max(valid_to) FROM price_intervals j WHERE j.source = i.source);
