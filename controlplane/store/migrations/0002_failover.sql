-- Failover: what agents observe of each replica's primary, and nodes held after a crash.
ALTER TABLE nodes ADD COLUMN observed_replicaof TEXT NOT NULL DEFAULT '';
ALTER TABLE nodes ADD COLUMN primary_unreachable_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE nodes ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
