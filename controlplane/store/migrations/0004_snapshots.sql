-- Snapshots (ElastiCache backups): one record per RDB file in the backup store. The record is
-- the cairn.v1.Snapshot proto; name, cluster, source, status and created_at_ms are copied out
-- for queries.
CREATE TABLE snapshots (
  name TEXT PRIMARY KEY,
  cluster TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL,
  status INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  proto BLOB NOT NULL
);
CREATE INDEX snapshots_by_cluster ON snapshots (cluster, created_at_ms);
-- The final snapshot a deletion takes first (DeleteClusterRequest.final_snapshot_name).
ALTER TABLE clusters ADD COLUMN final_snapshot TEXT NOT NULL DEFAULT '';
