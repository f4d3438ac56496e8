-- Forced failover (FailoverShard with force): set while such a failover runs, so that every
-- reconcile pass promotes the target directly instead of a coordinated FAILOVER TO.
ALTER TABLE clusters ADD COLUMN failover_forced INTEGER NOT NULL DEFAULT 0;
