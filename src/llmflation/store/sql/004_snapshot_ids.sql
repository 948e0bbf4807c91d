-- Fetched snapshots get a stable id (`llmflation fetch list` shows it, `llmflation fetch drop ID`
-- removes that snapshot), and a snapshot recorded past a refusal (`--force --reason`) keeps
-- the reason given and the checks it overrode.
CREATE SEQUENCE fetch_snapshot_id START 1;
ALTER TABLE fetch_snapshots ADD COLUMN snapshot_id BIGINT DEFAULT nextval('fetch_snapshot_id');
ALTER TABLE fetch_snapshots ADD COLUMN forced_reason VARCHAR;
ALTER TABLE fetch_snapshots ADD COLUMN forced_checks VARCHAR;
